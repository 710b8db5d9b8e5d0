"""Profiles -> sparse feature matrices, with scikit-learn encoders.

The categorical blocks come from fixed vocabularies (`matching.vocab`), so their columns never
move; only the TF-IDF block learns a vocabulary from the descriptions it is fitted on.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import MultiLabelBinarizer, OneHotEncoder, normalize

from matching.types import Profile
from matching.vocab import SECTORS, STAGES, TOPICS

# The indicator blocks, in column order, and the vocabulary of each.
BLOCKS: dict[str, dict[str, str]] = {
    "sectors": SECTORS,
    "stage": STAGES,
    "needs": TOPICS,
    "offers": TOPICS,
}
_POSITION = {block: {slug: i for i, slug in enumerate(vocab)} for block, vocab in BLOCKS.items()}
# The share of each block in `redundancy_matrix`.
_REDUNDANCY_SHARES = {"sectors": 0.15, "stage": 0.1, "needs": 0.15, "offers": 0.1, "text": 0.5}


def _labels(profile: Profile) -> dict[str, Collection[str]]:
    """The slugs of each indicator block."""
    return {
        "sectors": profile.sectors,
        "stage": (profile.stage,),
        "needs": profile.needs,
        "offers": profile.offers,
    }


class ProfileVectorizer(TransformerMixin, BaseEstimator):
    """Encode profiles as one indicator matrix plus one TF-IDF matrix.

    `transform` returns ``(indicators, text)``: `indicators` holds 0/1 columns for every
    sector, the stage, every need and every offer (sliced by `slices_`),
    kept raw so that a product with a query counts overlaps; `text` holds the l2-normalised
    TF-IDF of the descriptions, so that a product gives their cosine similarity.
    """

    def __init__(self, *, min_df: int = 1, max_features: int | None = 50_000):
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, profiles: Sequence[Profile], y: None = None) -> ProfileVectorizer:
        # Fixed vocabularies: fitting learns nothing, but sets the columns once and for all.
        self.encoders_ = {
            block: OneHotEncoder(categories=[list(vocab)]).fit([[next(iter(vocab))]])
            if block == "stage"
            else MultiLabelBinarizer(classes=list(vocab), sparse_output=True).fit([])
            for block, vocab in BLOCKS.items()
        }
        starts = np.cumsum([0, *map(len, BLOCKS.values())])
        self.slices_ = {
            block: slice(int(start), int(start + len(vocab)))
            for (block, vocab), start in zip(BLOCKS.items(), starts[:-1], strict=True)
        }
        self.text_ = TfidfVectorizer(
            stop_words="english",
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            dtype=np.float32,
        )
        try:
            self.text_.fit([p.description for p in profiles])
        except ValueError:  # no words left (no descriptions yet): the text block is empty
            self.text_ = None
        self.analyzer_ = None if self.text_ is None else self.text_.build_analyzer()
        return self

    def transform(self, profiles: Sequence[Profile]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        if not profiles:  # scikit-learn's encoders refuse empty input
            words = 0 if self.text_ is None else len(self.text_.vocabulary_)
            empty = sp.csr_matrix((0, self.slices_["offers"].stop), dtype=np.float32)
            return empty, sp.csr_matrix((0, words), dtype=np.float32)
        rows = [_labels(p) for p in profiles]
        indicators = sp.hstack(
            [
                encoder.transform([r[block] for r in rows])
                for block, encoder in self.encoders_.items()
            ],
            format="csr",
            dtype=np.float32,
        )
        if self.text_ is None:
            text = sp.csr_matrix((len(profiles), 0), dtype=np.float32)
        else:
            text = self.text_.transform([p.description for p in profiles]).tocsr()
        return indicators, text

    def encode(self, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
        """One profile as dense rows, equal to `transform([profile])`, in microseconds.

        A request encodes one profile; scikit-learn's per-call validation would cost more
        than scoring the whole directory.
        """
        indicators = np.zeros(self.slices_["offers"].stop, dtype=np.float32)
        for block, slugs in _labels(profile).items():
            start = self.slices_[block].start
            indicators[[start + _POSITION[block][slug] for slug in slugs]] = 1.0
        return indicators, self._tfidf(profile.description)

    def _tfidf(self, text: str) -> np.ndarray:
        """TfidfVectorizer.transform for one text (sublinear tf, idf, l2), without overhead."""
        if self.text_ is None:
            return np.zeros(0, dtype=np.float32)
        vocabulary = self.text_.vocabulary_
        counts = Counter(t for t in self.analyzer_(text) if t in vocabulary)
        row = np.zeros(len(vocabulary), dtype=np.float32)
        for term, count in counts.items():
            j = vocabulary[term]
            row[j] = (1.0 + math.log(count)) * self.text_.idf_[j]
        norm = np.linalg.norm(row)
        return row / norm if norm else row

    def redundancy_matrix(self, indicators: sp.csr_matrix, text: sp.csr_matrix) -> sp.csr_matrix:
        """Row-normalised blend of the blocks: its Gram matrix says how alike two profiles are.

        Each block is l2-normalised and weighted, so that a long description or many needs do
        not drown the rest.
        """
        if indicators.shape[0] == 0:  # scikit-learn's normalize refuses empty input
            return sp.hstack([indicators, text], format="csr", dtype=np.float32)
        parts = [
            normalize(indicators[:, self.slices_[b]]) * np.float32(np.sqrt(share))
            for b, share in _REDUNDANCY_SHARES.items()
            if b != "text"
        ]
        parts.append(text * np.float32(np.sqrt(_REDUNDANCY_SHARES["text"])))
        return normalize(sp.hstack(parts, format="csr", dtype=np.float32))
