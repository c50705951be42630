"""Sign-ins kept on the server (user_sessions); the users columns they and sign-in throttling replace are dropped.

Sign-out, a password reset and deactivation end sign-ins by revoking their rows, so users.session_token goes; the
failure counters (failed_logins, locked_until) go too, as throttling is kept by the rate limiter.

Revision ID: 003
Revises: 002
Create Date: 2026-11-24 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '003'
down_revision = '002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    # On SQLite this rebuilds users; env.py runs migrations with foreign keys off, so the rows that refer to users
    # (assessments, tokens, groups, audit) are not cascaded away by the rebuild's DROP TABLE.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.INTEGER(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    # Every user a token of their own, as 002's code expects (it compares the cookie's token with it).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("UPDATE users SET session_token = lower(hex(randomblob(16)))")
    else:
        op.execute("UPDATE users SET session_token = md5(random()::text || id::text)")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('failed_logins', existing_type=sa.INTEGER(), server_default=None)

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
