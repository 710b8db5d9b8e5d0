"""Evidence: the value-ladder outcome answers, consent to be named, suggestion views.

Revision ID: b2ev1dence06
Revises: a1f0c0de0001
Create Date: 2026-11-24 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b2ev1dence06"
down_revision = "b2ne7w0rk503"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outcome") as batch_op:
        batch_op.add_column(sa.Column("follow_up_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("learned", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("applied", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("difference_kinds", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("reframed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("story", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("share_story", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_outcome_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("business") as batch_op:
        batch_op.add_column(
            sa.Column(
                "named_in_evidence", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "suggestion_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("viewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_suggestion_view_business_id_business"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_view")),
    )
    op.create_index(
        op.f("ix_suggestion_view_viewed_at"), "suggestion_view", ["viewed_at"], unique=False
    )
    op.create_index(
        op.f("ix_suggestion_view_business_id"), "suggestion_view", ["business_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_suggestion_view_business_id"), table_name="suggestion_view")
    op.drop_index(op.f("ix_suggestion_view_viewed_at"), table_name="suggestion_view")
    op.drop_table("suggestion_view")
    with op.batch_alter_table("business") as batch_op:
        batch_op.drop_column("named_in_evidence")
    with op.batch_alter_table("outcome") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_created_at"))
        for column in (
            "share_story",
            "story",
            "reframed",
            "difference_kinds",
            "applied",
            "learned",
            "follow_up_days",
        ):
            batch_op.drop_column(column)
