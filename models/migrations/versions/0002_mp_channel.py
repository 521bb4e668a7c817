"""mp channel: openid bindings, invite codes, wrong-code log, outbox.via

The WeChat Official Account channel: `member_binding` ties an openid to a member (unique
both ways), `invite_code` keeps one hashed one-time code per member, `bind_failure` counts
wrong codes per openid for the brute-force limit, and `outbox.via` records whether a pushed
message went as a customer-service or a template message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:54:56.505852
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bind_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bind_failure', schema=None) as batch_op:
        batch_op.create_index('ix_bind_failure_openid_at', ['openid', 'at'], unique=False)

    op.create_table('invite_code',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('used_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('member_id'),
    sa.UniqueConstraint('code_hash')
    )
    op.create_table('member_binding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('bound_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id'),
    sa.UniqueConstraint('openid')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('via')

    op.drop_table('member_binding')
    op.drop_table('invite_code')
    with op.batch_alter_table('bind_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_bind_failure_openid_at')

    op.drop_table('bind_failure')
