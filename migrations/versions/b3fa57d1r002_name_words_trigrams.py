"""The words of business names, for typo correction; pg_trgm and a trigram index on PostgreSQL.

`business_name_word` holds each business's name as search words (one row per word), kept in step
by directory.search_index. On PostgreSQL the migration installs pg_trgm when the role may
(skipped otherwise: the search then measures the same trigram similarity in Python) and a GIN
trigram index on the words, which the search asks for words similar to a misspelt one. Two
covering indexes let the search read topics and the newest-first order from indexes alone.

Revision ID: b3fa57d1r002
Revises: b3ev1dence07
Create Date: 2026-11-24 05:00:00

"""

import sqlalchemy as sa
from alembic import op

from directory import search_index

revision = "b3fa57d1r002"
down_revision = "b3ev1dence07"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "business_name_word",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=160), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_business_name_word_business_id_business"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("business_id", "word", name=op.f("pk_business_name_word")),
    )
    if bind.dialect.name == "postgresql" and _install_pg_trgm(bind):
        op.create_index(
            "ix_business_name_word_word_trgm",
            "business_name_word",
            ["word"],
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        )
    _fill(bind)
    # The search reads the whole directory once per version: topics by option, and the listed
    # businesses newest first, each from an index alone.
    op.drop_index("ix_business_topic_kind_topic", table_name="business_topic")
    op.create_index(
        "ix_business_topic_kind_topic_business",
        "business_topic",
        ["kind", "topic", "business_id"],
    )
    op.create_index("ix_business_listed_created", "business", ["listed", "created_at", "id"])


def _install_pg_trgm(bind) -> bool:
    """Whether pg_trgm is there, installing it if this role may (in a savepoint if not)."""
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return False
    return True


def _fill(bind) -> None:
    names = bind.execute(sa.text("SELECT id, name FROM business")).all()
    rows = [
        {"business_id": business_id, "word": word[:160]}
        for business_id, name in names
        for word in dict.fromkeys(search_index.words(name))
    ]
    for start in range(0, len(rows), 5000):
        bind.execute(search_index.name_words.insert(), rows[start : start + 5000])


def downgrade():
    op.drop_index("ix_business_listed_created", table_name="business")
    op.drop_index("ix_business_topic_kind_topic_business", table_name="business_topic")
    op.create_index("ix_business_topic_kind_topic", "business_topic", ["kind", "topic"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_business_name_word_word_trgm")
    op.drop_table("business_name_word")
