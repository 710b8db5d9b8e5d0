"""Accounts: verified email addresses and revocable sign-in sessions.

Revision ID: b2acc0un7s01
Revises: a1f0c0de0001
Create Date: 2026-11-24 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b2acc0un7s01"
down_revision = "a1f0c0de0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    # Accounts that exist before this migration were trusted already: count them as verified.
    user = sa.table("user", sa.column("email_verified_at"), sa.column("created_at"))
    op.execute(user.update().values(email_verified_at=user.c.created_at))

    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("email_verified_at")
