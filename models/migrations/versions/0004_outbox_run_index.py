"""outbox: index on (topic, period_key, occasion) for "who already has a row for this job run"

`scheduler.queue.queued_userids` runs at every reminder job; without this index it scans the
whole outbox (3.4 million rows after three years of a 100,000-member company: 0.85 s per run,
bench/RESULTS.md). The unique key (userid, topic, period_key, occasion) leads with userid and
cannot serve it. On PostgreSQL the build blocks writes to `outbox` for a few seconds per million
rows: upgrade outside the reminder hours.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:00:00
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_run', 'outbox', ['topic', 'period_key', 'occasion'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_run', table_name='outbox')
