"""entry: partial covering indexes on counted entries (ix_entry_done, ix_entry_counted)

`ix_entry_done` (kind, occurred_on, member_id, duplicate) answers "who did kind K between
two dates" for every member at once (reminders, 全部支部); `ix_entry_counted` (member_id,
occurred_on, kind, points) a member's counted points between two dates (我的积分, every
report's answer, 支部情况, 积分排名). Both only hold entries with status 'recorded'.
On 5 million entries each takes about 10 s to build on PostgreSQL and blocks writes to
`entry` meanwhile: upgrade outside busy hours. Measurements: bench/RESULTS.md.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

COUNTED = sa.text("status = 'recorded'")


def upgrade() -> None:
    op.create_index('ix_entry_done', 'entry', ['kind', 'occurred_on', 'member_id', 'duplicate'], unique=False,
                    postgresql_where=COUNTED, sqlite_where=COUNTED)
    op.create_index('ix_entry_counted', 'entry', ['member_id', 'occurred_on', 'kind', 'points'], unique=False,
                    postgresql_where=COUNTED, sqlite_where=COUNTED)


def downgrade() -> None:
    op.drop_index('ix_entry_counted', table_name='entry')
    op.drop_index('ix_entry_done', table_name='entry')
