"""follow-up, second factor and data locks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

import trial.models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('data_lock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('created_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('ended_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=320), nullable=True),
    sa.Column('ended_reason', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_data_lock_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_lock')),
    sa.UniqueConstraint('trial_id', 'version', name=op.f('uq_data_lock_trial_id_version')),
    sa.UniqueConstraint('uid', name=op.f('uq_data_lock_uid'))
    )
    op.create_table('locked_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('lock_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('content_enc', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['lock_id'], ['data_lock.id'], name=op.f('fk_locked_record_lock_id_data_lock')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locked_record')),
    sa.UniqueConstraint('lock_id', 'kind', 'key', name=op.f('uq_locked_record_lock_id_kind_key')),
    sa.UniqueConstraint('uid', name=op.f('uq_locked_record_uid'))
    )
    with op.batch_alter_table('locked_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locked_record_lock_id'), ['lock_id'], unique=False)

    op.create_table('paper_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('timepoint', sa.String(length=32), nullable=False),
    sa.Column('instrument', sa.String(length=32), nullable=False),
    sa.Column('entry_number', sa.Integer(), nullable=False),
    sa.Column('answers_enc', sa.LargeBinary(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('entered_by', sa.String(length=320), nullable=False),
    sa.Column('entered_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_paper_entry_screening_id_screening')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entry')),
    sa.UniqueConstraint('screening_id', 'timepoint', 'instrument', 'entry_number', name=op.f('uq_paper_entry_screening_id_timepoint_instrument_entry_number')),
    sa.UniqueConstraint('uid', name=op.f('uq_paper_entry_uid'))
    )
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_entry_screening_id'), ['screening_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient_enc', sa.LargeBinary(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_outbox_message_participant_id_participant')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_outbox_message_trial_id_trial')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_outbox_message_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('uid', name=op.f('uq_outbox_message_uid')),
    sa.UniqueConstraint('visit_id', 'kind', 'sequence', name=op.f('uq_outbox_message_visit_id_kind_sequence'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_participant_id'), ['participant_id'], unique=False)

    op.create_table('questionnaire_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('answers_enc', sa.LargeBinary(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('updated_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_questionnaire_draft_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_draft')),
    sa.UniqueConstraint('uid', name=op.f('uq_questionnaire_draft_uid')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_questionnaire_draft_visit_id'))
    )
    op.create_table('questionnaire_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_checks', sa.Integer(), nullable=False),
    sa.Column('locked_until', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_questionnaire_link_participant_id_participant')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_questionnaire_link_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_link')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_questionnaire_link_token_sha256')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_questionnaire_link_visit_id'))
    )
    with op.batch_alter_table('questionnaire_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_link_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_response_visit_id_visit'), 'visit', ['visit_id'], ['id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('totp_secret_enc', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', trial.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_uid'), ['uid'])

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completion_mode', sa.String(length=16), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('completion_mode')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_uid'), type_='unique')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret_enc')
        batch_op.drop_column('uid')

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_response_visit_id_visit'), type_='foreignkey')
        batch_op.drop_column('visit_id')

    with op.batch_alter_table('questionnaire_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_link_participant_id'))

    op.drop_table('questionnaire_link')
    op.drop_table('questionnaire_draft')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_participant_id'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_entry_screening_id'))

    op.drop_table('paper_entry')
    with op.batch_alter_table('locked_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locked_record_lock_id'))

    op.drop_table('locked_record')
    op.drop_table('data_lock')

