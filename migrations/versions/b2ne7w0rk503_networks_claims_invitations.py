"""Join requests and profile claims; answers by invitation; imported profiles' source ids.

Revision ID: b2ne7w0rk503
Revises: a1f0c0de0001
Create Date: 2026-11-24 02:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b2ne7w0rk503"
down_revision = "b2ap1000007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "join_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_join_request_business_id_business"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["network.id"],
            name=op.f("fk_join_request_network_id_network"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_join_request_requested_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_join_request_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_request")),
    )
    with op.batch_alter_table("join_request") as batch_op:
        for column in ("business_id", "network_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_join_request_{column}"), [column])

    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_claim_business_id_business"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_claim_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_claim_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    with op.batch_alter_table("claim") as batch_op:
        for column in ("business_id", "user_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_claim_{column}"), [column])

    with op.batch_alter_table("introduction_event") as batch_op:
        batch_op.add_column(
            sa.Column("via", sa.String(length=20), server_default="", nullable=False)
        )
    with op.batch_alter_table("business") as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=20), nullable=True)
        batch_op.add_column(
            sa.Column("source", sa.String(length=30), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("source_id", sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint("uq_business_source_id", ["source", "source_id"])


def downgrade():
    with op.batch_alter_table("business") as batch_op:
        batch_op.drop_constraint("uq_business_source_id", type_="unique")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source")
        batch_op.alter_column("stage", existing_type=sa.String(length=20), nullable=False)
    with op.batch_alter_table("introduction_event") as batch_op:
        batch_op.drop_column("via")
    op.drop_table("claim")
    op.drop_table("join_request")
