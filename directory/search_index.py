"""The full-text index of the directory, on SQLite (FTS5) and PostgreSQL (tsvector).

Both databases index the same folded text (accents removed, "co-operative" joined into
"cooperative", sector and topic labels added) and are asked the same boolean query, so that a
search finds the same businesses on either. SQLite stems with FTS5's porter tokenizer,
PostgreSQL with its `english` configuration (Snowball's English stemmer, Porter's successor):
the two agree on the words of this directory, which tests check on both databases.

The words of each name are kept too, one row per word (`business_name_word`): misspelt words
are corrected from them (directory.search_text), through a trigram index on PostgreSQL.

The index is kept in step by a session hook: whatever saves a business through the ORM (forms,
CSV import, demo loader, CLI) rewrites that business's rows in the same transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Column, Integer, MetaData, String, Table, delete, event, inspect, text
from sqlalchemy.engine import Connection

from directory.models import Business, BusinessSector, BusinessTopic
from matching.vocab import SECTORS, TOPICS

# bm25 column weights on SQLite, and the tsvector weights on PostgreSQL: a word in the name
# counts ten times a word elsewhere (ts_rank weighs A at 1.0 and D at 0.1).
NAME_WEIGHT = 10.0

# Dropped from queries: PostgreSQL's english configuration ignores them and FTS5 does not, so
# keeping them would make the two databases disagree.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it near of on or the their to with".split()  # noqa: SIM905
)

# A few words people use for the same thing; each side of the map is searched as alternatives.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "coop": ("cooperative",),
    "cooperative": ("coop",),
    "cafe": ("cafes", "coffee"),
    "pub": ("inn",),
    "shop": ("store",),
}

# The words of each business's name (`words(name)`), created by the migrations alone.
name_words = Table(
    "business_name_word",
    MetaData(),
    Column("business_id", Integer, primary_key=True),
    Column("word", String(160), primary_key=True),
)

_WORD_RE = re.compile(r"[a-z0-9]+")
_JOINED_RE = re.compile(r"(?<=[a-z])['’\-](?=[a-z])")


def fold(text_: str) -> str:
    """Lower case, accents removed, hyphenated and apostrophised words joined.

    "Café" is "cafe" and "co-operative" is "cooperative", in documents and queries alike.
    """
    ascii_text = unicodedata.normalize("NFKD", text_ or "").encode("ascii", "ignore").decode()
    return _JOINED_RE.sub("", ascii_text.lower())


def words(text_: str) -> list[str]:
    """The searchable words of a text, folded, stop words left out."""
    return [w for w in _WORD_RE.findall(fold(text_)) if w not in STOP_WORDS]


def document(business: Business) -> tuple[str, str]:
    """The (name, body) the index holds for a business."""
    labels = [SECTORS.get(s, s) for s in business.sectors]
    labels += [TOPICS.get(row.topic, row.topic) for row in business.topic_rows]
    body = " ".join([business.description or "", business.town or "", *labels])
    return fold(business.name), fold(body)


# -- the boolean query, written for each database ---------------------------------------------


def match_expression(
    terms: list[str], dialect: str, *, any_word: bool, prefix: Collection[str] = ()
) -> str:
    """An FTS5 MATCH string or a to_tsquery string for the same boolean query.

    Each term matches itself or its synonyms; terms are joined by AND (every word) or OR (any
    word); terms in `prefix` of three letters or more also match longer words.
    """
    groups = []
    for term in terms:
        alternatives = [term, *SYNONYMS.get(term, ())]
        loose = term in prefix and len(term) >= 3
        groups.append([_term(t, dialect, loose) for t in alternatives])
    if dialect == "postgresql":
        joined = [f"({' | '.join(g)})" if len(g) > 1 else g[0] for g in groups]
        return (" | " if any_word else " & ").join(joined)
    joined = [f"({' OR '.join(g)})" if len(g) > 1 else g[0] for g in groups]
    return (" OR " if any_word else " AND ").join(joined)


def _term(word: str, dialect: str, prefix: bool) -> str:
    if dialect == "postgresql":
        return f"{word}:*" if prefix else word
    return f'"{word}"*' if prefix else f'"{word}"'


def matches_sql(dialect: str, *, ranked: bool = True) -> str:
    """SQL giving (id, score) of the businesses matching :expr, the higher score the better.

    Unranked, the score is 0: filters and counts need no score, and skip computing it.
    """
    if not ranked:
        if dialect == "postgresql":
            return (
                "SELECT business_id AS id, 0.0 AS score FROM business_search "
                "WHERE document @@ to_tsquery('english', :expr)"
            )
        return "SELECT rowid AS id, 0.0 AS score FROM business_fts WHERE business_fts MATCH :expr"
    if dialect == "postgresql":
        return (
            "SELECT business_id AS id, "
            # 1: divided by 1 + log(length), as bm25 favours the shorter of two matches.
            "ts_rank(document, to_tsquery('english', :expr), 1) AS score "
            "FROM business_search WHERE document @@ to_tsquery('english', :expr)"
        )
    return (
        f"SELECT rowid AS id, -bm25(business_fts, {NAME_WEIGHT}, 1.0) AS score "
        "FROM business_fts WHERE business_fts MATCH :expr"
    )


# -- keeping the index in step ------------------------------------------------------------------


def write(
    connection: Connection, rows: Iterable[tuple[int, str, str]], *, names: bool = True
) -> None:
    """Insert or replace the index rows (id, folded name, folded body) of some businesses.

    With `names`, their names' words too (the migrations before that table leave it out).
    """
    params = [{"id": i, "name": n, "body": b} for i, n, b in rows]
    if not params:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "INSERT INTO business_search (business_id, document) VALUES (:id, "
                "setweight(to_tsvector('english', unaccent(:name)), 'A') || "
                "setweight(to_tsvector('english', unaccent(:body)), 'D')) "
                "ON CONFLICT (business_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            params,
        )
    else:
        connection.execute(text("DELETE FROM business_fts WHERE rowid = :id"), params)
        connection.execute(
            text("INSERT INTO business_fts (rowid, name, body) VALUES (:id, :name, :body)"),
            params,
        )
    if names:
        _write_name_words(connection, params)


def _write_name_words(connection: Connection, params: list[dict]) -> None:
    ids = [p["id"] for p in params]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        connection.execute(delete(name_words).where(name_words.c.business_id.in_(chunk)))
    rows = [
        {"business_id": p["id"], "word": w[:160]}
        for p in params
        for w in dict.fromkeys(words(p["name"]))
    ]
    if rows:
        connection.execute(name_words.insert(), rows)


def remove(connection: Connection, ids: list[int]) -> None:
    if not ids:
        return
    table, column = (
        ("business_search", "business_id")
        if connection.dialect.name == "postgresql"
        else ("business_fts", "rowid")
    )
    connection.execute(text(f"DELETE FROM {table} WHERE {column} = :id"), [{"id": i} for i in ids])
    connection.execute(
        text("DELETE FROM business_name_word WHERE business_id = :id"), [{"id": i} for i in ids]
    )


def rebuild(connection: Connection) -> int:
    """Rewrite the whole index from the business tables (migrations, `directory reindex`)."""
    remove_all = "business_search" if connection.dialect.name == "postgresql" else "business_fts"
    connection.execute(text(f"DELETE FROM {remove_all}"))
    names = inspect(connection).has_table(name_words.name)
    if names:
        connection.execute(delete(name_words))
    labels: dict[int, list[str]] = {}
    for business_id, sector in connection.execute(
        text(f"SELECT business_id, sector FROM {BusinessSector.__tablename__}")
    ):
        labels.setdefault(business_id, []).append(SECTORS.get(sector, sector))
    for business_id, topic in connection.execute(
        text(f"SELECT business_id, topic FROM {BusinessTopic.__tablename__}")
    ):
        labels.setdefault(business_id, []).append(TOPICS.get(topic, topic))
    rows = []
    for business_id, name, description, town, sector in connection.execute(
        text("SELECT id, name, description, town, sector FROM business")
    ):
        extra = [SECTORS.get(sector, sector), *labels.get(business_id, [])]
        body = " ".join([description or "", town or "", *extra])
        rows.append((business_id, fold(name), fold(body)))
    for start in range(0, len(rows), 2000):
        write(connection, rows[start : start + 2000], names=names)
    return len(rows)


@event.listens_for(FlaskSession, "after_flush")
def _after_flush(session, _context) -> None:
    """Rewrite the index rows of the businesses this flush created, changed or deleted."""
    changed: dict[int, Business] = {}
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Business) and obj.id is not None:
            changed[obj.id] = obj
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Business)]
    if not changed and not deleted:
        return
    connection = session.connection()
    remove(connection, deleted)
    write(connection, [(i, *document(b)) for i, b in changed.items() if i not in deleted])
