"""Spent single-use link tokens; businesses can be unlisted.

Revision ID: a1f0c0de0001
Revises: 8e9f737d0d2c
Create Date: 2026-11-24 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a1f0c0de0001"
down_revision = "8e9f737d0d2c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "used_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_used_token")),
    )
    with op.batch_alter_table("business") as batch_op:
        batch_op.add_column(
            sa.Column("listed", sa.Boolean(), server_default=sa.text("true"), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_business_listed"), ["listed"], unique=False)


def downgrade():
    with op.batch_alter_table("business") as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_listed"))
        batch_op.drop_column("listed")
    op.drop_table("used_token")
