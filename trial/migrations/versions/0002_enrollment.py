"""enrollment

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

import trial.models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', trial.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_token_token_sha256'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('stratum_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('next_position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_stratum_counter_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stratum_counter')),
    sa.UniqueConstraint('trial_id', 'stratum', 'period', name=op.f('uq_stratum_counter_trial_id_stratum_period'))
    )
    op.create_table('screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('sex', sa.String(length=16), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=True),
    sa.Column('failed_criteria', sa.JSON(), nullable=True),
    sa.Column('exclusion_category', sa.String(length=16), nullable=True),
    sa.Column('exclusion_reason_enc', sa.LargeBinary(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('name_enc', sa.LargeBinary(), nullable=True),
    sa.Column('national_id_enc', sa.LargeBinary(), nullable=True),
    sa.Column('national_id_index', sa.String(length=64), nullable=True),
    sa.Column('birth_date_enc', sa.LargeBinary(), nullable=True),
    sa.Column('email_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_screening_site_id_site')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_screening_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening')),
    sa.UniqueConstraint('uid', name=op.f('uq_screening_uid'))
    )
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index('ix_screening_identity', ['trial_id', 'national_id_index'], unique=False)
        batch_op.create_index('ix_screening_trial_site_status', ['trial_id', 'site_id', 'status'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('consented_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('signature_enc', sa.LargeBinary(), nullable=True),
    sa.Column('guardian_name_enc', sa.LargeBinary(), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('taken_by', sa.String(length=320), nullable=False),
    sa.Column('recorded_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_consent_screening_id_screening')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent')),
    sa.UniqueConstraint('uid', name=op.f('uq_consent_uid'))
    )
    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('arm', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('randomized_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_participant_screening_id_screening')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_participant_site_id_site')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_participant_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant')),
    sa.UniqueConstraint('screening_id', name=op.f('uq_participant_screening_id')),
    sa.UniqueConstraint('trial_id', 'code', name=op.f('uq_participant_trial_id_code'))
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index('ix_participant_trial_site', ['trial_id', 'site_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('timepoint', sa.String(length=32), nullable=False),
    sa.Column('instrument', sa.String(length=32), nullable=False),
    sa.Column('instrument_version', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('answers_enc', sa.LargeBinary(), nullable=False),
    sa.Column('scores_enc', sa.LargeBinary(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_response_screening_id_screening')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('screening_id', 'timepoint', 'instrument', name=op.f('uq_response_screening_id_timepoint_instrument')),
    sa.UniqueConstraint('uid', name=op.f('uq_response_uid'))
    )
    op.create_table('allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=200), nullable=False),
    sa.Column('factors', sa.JSON(), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('ratio', sa.String(length=32), nullable=False),
    sa.Column('probability', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('block_index', sa.Integer(), nullable=False),
    sa.Column('block_size', sa.Integer(), nullable=False),
    sa.Column('algorithm', sa.String(length=64), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('randomized_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('randomized_by', sa.String(length=320), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_allocation_participant_id_participant')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_allocation_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_allocation_participant_id')),
    sa.UniqueConstraint('trial_id', 'stratum', 'period', 'position', name=op.f('uq_allocation_trial_id_stratum_period_position'))
    )
    op.create_table('participant_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('reason_enc', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_at', trial.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_participant_event_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_event')),
    sa.UniqueConstraint('uid', name=op.f('uq_participant_event_uid'))
    )
    with op.batch_alter_table('participant_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_event_participant_id'), ['participant_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('timepoint', sa.String(length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_visit_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
    sa.UniqueConstraint('participant_id', 'timepoint', name=op.f('uq_visit_participant_id_timepoint'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_closes_on'), ['closes_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_opens_on'), ['opens_on'], unique=False)

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_number', sa.Integer(), nullable=False, server_default='1'))




def downgrade() -> None:

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('next_number')

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_opens_on'))
        batch_op.drop_index(batch_op.f('ix_visit_closes_on'))

    op.drop_table('visit')
    with op.batch_alter_table('participant_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_event_participant_id'))

    op.drop_table('participant_event')
    op.drop_table('allocation')
    op.drop_table('response')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_trial_site')

    op.drop_table('participant')
    op.drop_table('consent')
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_trial_site_status')
        batch_op.drop_index('ix_screening_identity')

    op.drop_table('screening')
    op.drop_table('stratum_counter')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')

