"""The matching index's directory version and change log.

Revision ID: b2ma7ch1ng05
Revises: a1f0c0de0001
Create Date: 2026-11-24 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b2ma7ch1ng05"
down_revision = "b2ev1dence06"
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table(
        "matching_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("refits", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_state")),
    )
    op.bulk_insert(state, [{"id": 1, "version": 0, "refits": 0}])
    op.create_table(
        "matching_change",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("business_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("version", "business_id", name=op.f("pk_matching_change")),
    )
    op.create_index("ix_matching_change_business", "matching_change", ["business_id"])


def downgrade():
    op.drop_index("ix_matching_change_business", table_name="matching_change")
    op.drop_table("matching_change")
    op.drop_table("matching_state")
