"""Businesses are told apart by a normalised name; no slug is a fixed /businesses/ segment.

Revision ID: b2ha7d3n1n02
Revises: a1f0c0de0001
Create Date: 2026-11-24 02:00:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "b2ha7d3n1n02"
down_revision = "b2acc0un7s01"
branch_labels = None
depends_on = None

# Fixed segments under /businesses/ when this migration was written.
RESERVED = ("new",)


def normalised_name(name: str) -> str:
    """A copy of businesses.service.normalised_name as it was: migrations do not follow code."""
    text = unicodedata.normalize("NFKC", name).casefold()
    words = re.findall(r"[^\W_]+", text)
    return (" ".join(words) or " ".join(text.split()))[:160]


def upgrade():
    with op.batch_alter_table("business") as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=160), server_default="", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_business_name_key"), ["name_key"], unique=False)
    business = sa.table(
        "business", sa.column("id", sa.Integer), sa.column("name"), sa.column("name_key")
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(business.c.id, business.c.name)).all()
    if rows:
        conn.execute(
            business.update()
            .where(business.c.id == sa.bindparam("row_id"))
            .values(name_key=sa.bindparam("key")),
            [{"row_id": row_id, "key": normalised_name(name)} for row_id, name in rows],
        )
    slugged = sa.table("business", sa.column("id", sa.Integer), sa.column("slug"))
    taken = set(conn.execute(sa.select(slugged.c.slug)).scalars())
    for word in RESERVED:
        for (row_id,) in conn.execute(sa.select(slugged.c.id).where(slugged.c.slug == word)):
            n = 2
            while f"{word}-{n}" in taken:
                n += 1
            taken.add(f"{word}-{n}")
            conn.execute(
                slugged.update().where(slugged.c.id == row_id).values(slug=f"{word}-{n}")
            )


def downgrade():
    with op.batch_alter_table("business") as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_name_key"))
        batch_op.drop_column("name_key")
