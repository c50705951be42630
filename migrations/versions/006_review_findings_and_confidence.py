"""The review's findings belong to the assessment (one per criterion, whichever champion recorded them), with the
authority's response; a comment per standard; stored scores also for the lowest confidence accepted (DESIGN §5).

Revision ID: 006
Revises: 005
Create Date: 2026-12-01 14:10:00.000000

No version of the toolkit wrote review_findings before this one, so the old table is replaced, not converted.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '006'
down_revision = '005'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('review_findings')
    op.create_table('review_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('champion_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('proposed_level', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('response', sa.String(length=20), nullable=True),
    sa.Column('response_note', sa.Text(), nullable=True),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderated_level', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_review_findings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_review_findings_criterion_id_criteria')),
    sa.ForeignKeyConstraint(['champion_id'], ['users.id'], name=op.f('fk_review_findings_champion_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'], name=op.f('fk_review_findings_responded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_findings')),
    sa.UniqueConstraint('assessment_id', 'criterion_id', name=op.f('uq_review_findings_assessment_id_criterion_id'))
    )
    with op.batch_alter_table('review_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_findings_assessment_id'), ['assessment_id'], unique=False)
    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('standard_key', sa.String(length=80), nullable=False),
    sa.Column('champion_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_review_comments_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['champion_id'], ['users.id'], name=op.f('fk_review_comments_champion_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments')),
    sa.UniqueConstraint('assessment_id', 'standard_key', name=op.f('uq_review_comments_assessment_id_standard_key'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comments_assessment_id'), ['assessment_id'], unique=False)
    with op.batch_alter_table('assessment_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.String(length=16), server_default='', nullable=False))
        batch_op.drop_constraint('uq_assessment_scores_assessment_id_basis_scope_key', type_='unique')
        batch_op.create_unique_constraint(op.f('uq_assessment_scores_assessment_id_basis_confidence_scope_key'),
                                          ['assessment_id', 'basis', 'confidence', 'scope', 'key'])


def downgrade():
    op.execute("DELETE FROM assessment_scores WHERE confidence <> ''")
    with op.batch_alter_table('assessment_scores', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessment_scores_assessment_id_basis_confidence_scope_key', type_='unique')
        batch_op.create_unique_constraint('uq_assessment_scores_assessment_id_basis_scope_key',
                                          ['assessment_id', 'basis', 'scope', 'key'])
        batch_op.drop_column('confidence')
    op.drop_table('review_comments')
    op.drop_table('review_findings')
    op.create_table('review_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('proposed_level', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('authority_response', sa.Text(), nullable=True),
    sa.Column('moderated_level', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'], name=op.f('fk_review_findings_assignment_id_review_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_review_findings_criterion_id_criteria')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_findings')),
    sa.UniqueConstraint('assignment_id', 'criterion_id', name=op.f('uq_review_findings_assignment_id_criterion_id'))
    )
