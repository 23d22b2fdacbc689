"""session epoch and unique idempotency keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import trial.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_allocation_trial_id_idempotency_key'), ['trial_id', 'idempotency_key'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))




def downgrade() -> None:

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')

    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_allocation_trial_id_idempotency_key'), type_='unique')


