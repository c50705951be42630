"""Improvement plans as the authority edits them (targets, own and carried actions, a revision for optimistic
locking), the opt-in to be named as willing to share practice, and background export jobs with their items
(DESIGN §7, §8).

Revision ID: 007
Revises: 006
Create Date: 2026-12-01 16:44:03.623363

No version of the toolkit wrote improvement plans before this one, so carried_from_id (never set) is dropped.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '007'
down_revision = '006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sharing_opt_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('standard_key', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sharing_opt_ins_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['framework_id'], ['frameworks.id'], name=op.f('fk_sharing_opt_ins_framework_id_frameworks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sharing_opt_ins_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_opt_ins')),
    sa.UniqueConstraint('organisation_id', 'framework_id', 'standard_key', name=op.f('uq_sharing_opt_ins_organisation_id_framework_id_standard_key'))
    )
    with op.batch_alter_table('sharing_opt_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_opt_ins_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_export_jobs_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_export_jobs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('export_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('files', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['export_jobs.id'], name=op.f('fk_export_items_job_id_export_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_export_items_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_items')),
    sa.UniqueConstraint('job_id', 'organisation_id', name=op.f('uq_export_items_job_id_organisation_id'))
    )
    with op.batch_alter_table('export_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_items_job_id'), ['job_id'], unique=False)

    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_plan_targets_criterion_id_criteria')),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plans.id'], name=op.f('fk_plan_targets_plan_id_improvement_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('plan_id', 'criterion_id', name=op.f('uq_plan_targets_plan_id_criterion_id'))
    )
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_targets_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_action_origins',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('from_action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], name=op.f('fk_plan_action_origins_action_id_plan_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_action_id'], ['plan_actions.id'], name=op.f('fk_plan_action_origins_from_action_id_plan_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'from_action_id', name=op.f('pk_plan_action_origins'))
    )
    with op.batch_alter_table('plan_action_origins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_action_origins_from_action_id'), ['from_action_id'], unique=False)

    with op.batch_alter_table('improvement_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('basis', sa.String(length=10), server_default='self', nullable=False))
        batch_op.add_column(sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('carried_from_plan_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_improvement_plans_carried_from_plan_id_improvement_plans'), 'improvement_plans', ['carried_from_plan_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='generated', nullable=False))
        batch_op.add_column(sa.Column('text_edited', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('done_on', sa.Date(), nullable=True))
        batch_op.alter_column('criterion_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('level_reached',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('target_level',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_plan_actions_plan_id'), ['plan_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_plan_actions_carried_from_id_plan_actions'), type_='foreignkey')
        batch_op.drop_column('carried_from_id')



def downgrade():
    # The older schema has no action without a criterion (the authority's own): those cannot go down with it.
    op.execute("DELETE FROM plan_actions WHERE criterion_id IS NULL OR level_reached IS NULL OR target_level IS NULL")
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plan_actions_carried_from_id_plan_actions'), 'plan_actions', ['carried_from_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index(batch_op.f('ix_plan_actions_plan_id'))
        batch_op.alter_column('target_level',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('level_reached',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('criterion_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('done_on')
        batch_op.drop_column('text_edited')
        batch_op.drop_column('origin')
        batch_op.drop_column('standard_key')

    with op.batch_alter_table('improvement_plans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_improvement_plans_carried_from_plan_id_improvement_plans'), type_='foreignkey')
        batch_op.drop_column('carried_from_plan_id')
        batch_op.drop_column('generated_at')
        batch_op.drop_column('basis')
        batch_op.drop_column('revision')

    with op.batch_alter_table('plan_action_origins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_action_origins_from_action_id'))

    op.drop_table('plan_action_origins')
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_targets_plan_id'))

    op.drop_table('plan_targets')
    with op.batch_alter_table('export_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_items_job_id'))

    op.drop_table('export_items')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_jobs_cycle_id'))

    op.drop_table('export_jobs')
    with op.batch_alter_table('sharing_opt_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_opt_ins_organisation_id'))

    op.drop_table('sharing_opt_ins')
