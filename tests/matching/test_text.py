"""Descriptions: whole words, BM25 weights, and edits applied in place."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching import Matcher
from matching.text import TextIndex, tokens
from tests.matching.factories import business


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Bushey Community Bakery", ["bushey", "bakery"]),  # never "bus"
        ("Co-operative development agencies", ["development", "agency"]),
        ("The Farmers' Market, 2023", ["farmer", "market"]),
        ("Glass & grass; business", ["glass", "grass", "business"]),
    ],
)
def test_tokens_are_whole_words_with_plurals_folded(text, words):
    assert tokens(text) == words


def test_a_word_fragment_never_matches():
    index = TextIndex().fit(["Bushey village bakery", "Community bus service"], capacity=4)

    similarity = index.similarity(index.query("Bus routes for the village"), 2)

    assert similarity[1] > 0  # "bus"
    assert index.shared_words(index.query("Bus routes for the village"), [0, 1]) == [
        ["village"],
        ["bus"],
    ]


def test_the_same_description_scores_one_and_rarer_shared_words_score_more():
    texts = ["village shop post office", "village shop", "village hall", "city farm"]
    index = TextIndex().fit(texts, capacity=8)

    similarity = index.similarity(index.query("village shop post office"), 4)

    assert similarity[0] == pytest.approx(1.0)
    assert similarity[0] > similarity[1] > similarity[2] > similarity[3] == 0


def test_a_co_operative_development_agency_finds_the_other_agencies_first():
    """The description carries the signal: same sector column, same stage, near."""
    text = "Co-operative development agency supporting new co-ops with advice and training"
    cda = {"sectors": ("employment-training",), "needs": frozenset(), "stage": "established"}
    others = [
        business(2, km=8, description="Social club with bar, snooker and live music", **cda),
        business(3, km=6, description="Packaging and printing for local firms", **cda),
        business(4, km=20, description="Development agency for co-operatives: advice", **cda),
        business(5, km=3, description="Adult learning courses in IT and English", **cda),
    ]
    me = business(1, km=0, description=text, **cda)

    found = Matcher().fit([me, *others]).suggest(me, "peer", limit=1)

    assert found[0].id == 4
    assert any(r.startswith("Similar work: both mention “development”") for r in found[0].reasons)


def test_edits_and_deletions_change_rows_in_place_and_new_words_count_at_once(synthetic):
    matcher = Matcher().fit(synthetic[:300])
    store = matcher.store_
    arrays = (store.ids, store.stage, store.text.by_row_.data, store.text.by_word_.data)
    me = replace(synthetic[0], description="Quokka sanctuary and rescue")

    matcher.update([replace(synthetic[5], description="We rescue quokkas")])
    matcher.remove([synthetic[6].id])

    assert (store.ids, store.stage, store.text.by_row_.data, store.text.by_word_.data) == arrays
    found = {s.id: s for s in matcher.suggest(me, "peer", limit=300)}
    assert synthetic[6].id not in found
    (similar,) = [r for r in found[synthetic[5].id].reasons if r.startswith("Similar work")]
    assert "“quokka”" in similar and "“rescue”" in similar
    assert 0 < matcher.stale_share() < 0.01


def test_a_deleted_row_is_reused_by_the_next_addition(synthetic):
    matcher = Matcher().fit(synthetic[:100])
    matcher.remove([synthetic[0].id])

    matcher.update([replace(synthetic[0], id=9_999)])

    assert matcher.store_.size == 100 and 9_999 in matcher and len(matcher) == 100


def test_a_row_reused_after_a_deletion_counts_each_word_once(synthetic):
    """Deleting a business and adding another (which takes its row) leaves the same word
    counts as fitting the final directory at once: no word is forgotten twice."""
    newcomer = replace(synthetic[0], id=9_999)
    matcher = Matcher().fit(synthetic[:100])
    matcher.remove([synthetic[0].id])
    matcher.update([newcomer])
    at_once = Matcher().fit([*synthetic[1:100], newcomer]).store_.text

    text = matcher.store_.text
    assert matcher.store_.row_of[9_999] == 0  # the freed row was reused
    assert text.documents_ == at_once.documents_
    counts = {word: int(text.df_[i]) for word, i in text.vocabulary_.items()}
    assert counts == {word: int(at_once.df_[i]) for word, i in at_once.vocabulary_.items()}


def test_a_directory_grown_past_the_fitted_rows_still_matches_on_descriptions(synthetic):
    matcher = Matcher().fit(synthetic[:100])  # rows for 125 until the next fit
    newcomers = [replace(p, id=50_000 + i) for i, p in enumerate(synthetic[100:160])]
    matcher.update(newcomers)
    last = newcomers[-1]
    visitor = replace(last, id=None, owner_id=None)

    found = {s.id: s for s in matcher.suggest(visitor, "peer", limit=50)}

    assert matcher.store_.row_of[last.id] >= matcher.store_.text.by_row_.shape[0]
    assert any(r.startswith("Similar work") for r in found[last.id].reasons)
