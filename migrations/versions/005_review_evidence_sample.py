"""Each review assignment keeps the seed and the evidence sample drawn when it was made (DESIGN §5).

Revision ID: 005
Revises: 004
Create Date: 2026-12-01 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '005'
down_revision = '004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_assignments') as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('sample', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_assignments') as batch_op:
        batch_op.drop_column('sample')
        batch_op.drop_column('seed')
