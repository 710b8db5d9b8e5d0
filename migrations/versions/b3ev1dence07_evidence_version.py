"""The evidence version and change log: outcome answers and networks bump the version, and the
log names the introductions whose answers changed, so evidence rows are refreshed when (and
where) they change instead of after a fixed time.

Revision ID: b3ev1dence07
Revises: b2ma7ch1ng05
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b3ev1dence07"
down_revision = "b2ma7ch1ng05"
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table(
        "evidence_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("pruned_up_to", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_state")),
    )
    op.bulk_insert(state, [{"id": 1, "version": 0, "pruned_up_to": 0}])
    op.create_table(
        "evidence_change",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("introduction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("version", "introduction_id", name=op.f("pk_evidence_change")),
    )


def downgrade():
    op.drop_table("evidence_change")
    op.drop_table("evidence_state")
