"""A version number of each cycle's stored scores, raised whenever they change, so reads of them can be cached.

Revision ID: 004
Revises: 003
Create Date: 2026-12-01 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '004'
down_revision = '003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles') as batch_op:
        batch_op.add_column(sa.Column('scores_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('cycles') as batch_op:
        batch_op.drop_column('scores_version')
