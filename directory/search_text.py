"""What a search's words find: full-text matches, loosened until something matches.

The businesses a full-text query matches (and, for "best match", their scores) change only
with the directory: they are kept per query, as rows of the search snapshot, until the directory
changes what the search reads, so a page asks the index once per query, however its place and
facets change. Every word as typed is tried first; then the words the directory does not hold as
prefixes ("keswi"); then the words nothing starts with corrected from the directory's own
words ("kesswick"); then any of the words.

A misspelt word is corrected to a word of the listed names, towns and sector or topic labels:
among those sharing enough trigrams with it (PostgreSQL's pg_trgm similarity, at least 0.2),
the closest by difflib's ratio (at least 0.75). On PostgreSQL with pg_trgm a trigram index on
the names' words finds them; elsewhere the same measure runs over the words, kept per
directory version. Either way the same word is chosen, which tests check on both databases.
"""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import func, select, text

from directory import search_index
from directory.extensions import db
from directory.models import Business
from directory.search_query import FACETS
from directory.search_snapshot import Snapshot

# A correction must share this much with the typed word (pg_trgm's similarity)...
SHORTLIST_SIMILARITY = 0.2
# ...and be this close by difflib's ratio.
CLOSE_RATIO = 0.75
_MATCHES = "peerlink_search_matches"
_LOCK = threading.Lock()
_WORDS = "peerlink_search_words"
_SIMILAR = "peerlink_search_similar"
# Matches kept in all (about 12 bytes each), across the queries of the current version.
_MAX_CACHED_ROWS = 2_000_000


@dataclass(frozen=True)
class Matches:
    """The snapshot rows a full-text query matches, ascending; their scores when ranked."""

    rows: np.ndarray
    scores: np.ndarray | None = None


@dataclass(frozen=True)
class TextResult:
    expression: str  # the full-text query used ("" without words)
    total: int
    note: str = ""  # what was done when the words as typed found nothing
    suggestion: str = ""  # "did you mean", when nothing matched


def match_text(q: str, snapshot: Snapshot, count: Callable[[Matches | None], int]) -> TextResult:
    """Find the text's matches, loosening the words until `count` finds some.

    A word the directory holds is never loosened: "pubs" near a place without pubs finds
    nothing rather than "public".
    """
    terms = search_index.words(q)
    if not terms:
        return TextResult("", count(None))
    dialect = db.engine.dialect.name

    def attempt(words: list[str], prefix=(), any_word: bool = False) -> TextResult:
        expression = search_index.match_expression(words, dialect, any_word=any_word, prefix=prefix)
        return TextResult(expression, count(matches(snapshot, expression)))

    if (found := attempt(terms)).total:
        return found
    unknown = [t for t in terms if not _anywhere(t, prefix=False)]
    if unknown and (found := attempt(terms, prefix=unknown)).total:
        return found
    corrected = [closest(t, snapshot) if t in unknown and not _anywhere(t) else t for t in terms]
    if corrected != terms and (found := attempt(corrected, prefix=unknown)).total:
        shown = " ".join(corrected)
        return TextResult(
            found.expression, found.total, f"Nothing matched “{q}”: showing “{shown}”."
        )
    if len(terms) > 1 and (found := attempt(terms, any_word=True)).total:
        note = "No business matches all of these words: showing those matching any."
        return TextResult(found.expression, found.total, note)
    return TextResult(found.expression, 0, "", " ".join(corrected) if corrected != terms else "")


def matches(snapshot: Snapshot, expression: str, *, ranked: bool = False) -> Matches:
    """The listed businesses a full-text query matches, kept as long as the snapshot."""
    cache: OrderedDict = current_app.extensions.setdefault(_MATCHES, OrderedDict())
    key = (snapshot.generation, expression)
    found: Matches | None = cache.get(key)
    if found is None or (ranked and found.scores is None):
        found = _read_matches(snapshot, expression, ranked)
        with _LOCK:  # threaded servers share the cache
            for old in [k for k in cache if k[0] != snapshot.generation]:
                del cache[old]
            cache[key] = found
            while len(cache) > 1 and sum(len(m.rows) for m in cache.values()) > _MAX_CACHED_ROWS:
                cache.popitem(last=False)
    with _LOCK:
        if key in cache:
            cache.move_to_end(key)
    return found


def _read_matches(snapshot: Snapshot, expression: str, ranked: bool) -> Matches:
    sql = search_index.matches_sql(db.engine.dialect.name, ranked=ranked)
    found = db.session.execute(text(sql), {"expr": expression})
    scores: np.ndarray | None = None
    if ranked:
        pairs = found.all()
        ids = np.array([pair[0] for pair in pairs], dtype=np.int64)
        scores = np.array([pair[1] for pair in pairs], dtype=np.float64)
    else:
        ids = np.fromiter(found.scalars(), dtype=np.int64)
    known = (ids >= 0) & (ids < len(snapshot.row_of))
    rows = np.full(len(ids), -1, dtype=np.int64)
    rows[known] = snapshot.row_of[ids[known]]
    listed = rows >= 0
    order = np.argsort(rows[listed], kind="stable")
    if scores is None:
        return Matches(rows[listed][order])
    return Matches(rows[listed][order], scores[listed][order])


def _anywhere(term: str, *, prefix: bool = True) -> bool:
    """Whether any business at all holds the word (or, with `prefix`, a word it starts)."""
    dialect = db.engine.dialect.name
    expr = search_index.match_expression(
        [term], dialect, any_word=False, prefix=[term] if prefix else ()
    )
    sql = search_index.matches_sql(dialect, ranked=False)
    if dialect == "postgresql":
        # Planned apart from the LIMIT: else PostgreSQL reads every document for a prefix that
        # nothing starts with (50 ms at 100,000 businesses), hoping to stop at the first.
        sql = f"WITH found AS MATERIALIZED ({sql}) SELECT 1 FROM found LIMIT 1"
    else:
        sql = f"{sql} LIMIT 1"
    return db.session.execute(text(sql), {"expr": expr}).first() is not None


# -- typos --------------------------------------------------------------------------------------


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one lower-case word: padded with two spaces before, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class WordList:
    """Words and an index from each trigram to the words holding it, for the shortlist."""

    def __init__(self, words: set[str]):
        self.words = sorted(w for w in words if len(w) > 2)
        postings: dict[str, list[int]] = {}
        sizes = []
        for i, word in enumerate(self.words):
            grams = trigrams(word)
            sizes.append(len(grams))
            for gram in grams:
                postings.setdefault(gram, []).append(i)
        self.sizes = np.array(sizes, dtype=np.float32)
        self.postings = {g: np.array(ids, dtype=np.int64) for g, ids in postings.items()}

    def similar(self, term: str) -> list[str]:
        """The words whose similarity to the term is at least the shortlist's.

        pg_trgm's similarity: shared trigrams over all trigrams of the two, divided in single
        precision as PostgreSQL does, then compared in double precision.
        """
        grams = trigrams(term)
        hits = [self.postings[g] for g in grams if g in self.postings]
        if not hits:
            return []
        shared = np.bincount(np.concatenate(hits), minlength=len(self.words)).astype(np.float32)
        score = shared / (np.float32(len(grams)) + self.sizes - shared)
        close = score.astype(np.float64) >= SHORTLIST_SIMILARITY
        return [self.words[i] for i in np.flatnonzero(close)]


def closest(term: str, snapshot: Snapshot) -> str:
    """The word of names, towns or labels closest to a misspelt one, or the word itself."""
    candidates = _words(snapshot, names=not _trigram_index()).similar(term)
    if _trigram_index():
        candidates += _similar_name_words(term, snapshot)
    close = difflib.get_close_matches(term, candidates, n=1, cutoff=CLOSE_RATIO)
    return close[0] if close else term


def _words(snapshot: Snapshot, *, names: bool) -> WordList:
    """Words of listed towns and of labels (and of listed names), per directory version."""
    cache = current_app.extensions.setdefault(_WORDS, {})
    key = (snapshot.generation, names)
    if key not in cache:
        found: set[str] = set()
        for _, labels in FACETS.values():
            for label in labels.values():
                found.update(search_index.words(label))
        towns = select(Business.town).where(Business.listed.is_(True)).distinct()
        for town in db.session.execute(towns).scalars():
            found.update(search_index.words(town))
        if names:
            found.update(db.session.execute(_name_words()).scalars())
        cache.clear()
        cache[key] = WordList(found)
    return cache[key]


def _name_words():
    return (
        select(search_index.name_words.c.word)
        .join(Business, Business.id == search_index.name_words.c.business_id)
        .where(Business.listed.is_(True))
        .distinct()
    )


def _similar_name_words(term: str, snapshot: Snapshot) -> list[str]:
    """Words of listed names similar to the term, found by PostgreSQL's trigram index.

    Kept per directory version: a misspelt word is often tried twice (the "did you mean" link).
    """
    kept = current_app.extensions.get(_SIMILAR)
    if kept is None or kept[0] != snapshot.generation or len(kept[1]) > 256:
        kept = current_app.extensions[_SIMILAR] = (snapshot.generation, {})
    similar: dict[str, list[str]] = kept[1]
    if term not in similar:
        word = search_index.name_words.c.word
        db.session.execute(
            text("SELECT set_config('pg_trgm.similarity_threshold', :limit, true)"),
            {"limit": str(SHORTLIST_SIMILARITY)},
        )
        stmt = _name_words().where(word.op("%")(term), func.length(word) > 2)
        similar[term] = list(db.session.execute(stmt).scalars())
    return similar[term]


def _trigram_index() -> bool:
    """Whether the database is PostgreSQL with pg_trgm (the migration installs it if allowed)."""
    if db.engine.dialect.name != "postgresql":
        return False
    key = "peerlink_pg_trgm"
    if key not in current_app.extensions:
        installed = db.session.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        ).first()
        current_app.extensions[key] = installed is not None
    return current_app.extensions[key]
