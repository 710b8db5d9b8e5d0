"""The encoding: one request's fast path must equal scikit-learn's."""

from __future__ import annotations

import random

import numpy as np

from matching.features import ProfileVectorizer
from matching.synthetic import random_profile


def test_encode_equals_transform(synthetic):
    vectorizer = ProfileVectorizer().fit(synthetic)
    rng = random.Random(5)
    strangers = [random_profile(rng, None, description=f"Unseen words {i}") for i in range(5)]

    for profile in synthetic[:50] + strangers:
        indicators, text = vectorizer.encode(profile)
        expected_indicators, expected_text = vectorizer.transform([profile])
        np.testing.assert_array_equal(indicators, expected_indicators.toarray().ravel())
        np.testing.assert_allclose(text, expected_text.toarray().ravel(), rtol=1e-5, atol=1e-7)


def test_text_rows_are_unit_length_and_redundancy_is_a_cosine(synthetic):
    vectorizer = ProfileVectorizer().fit(synthetic)
    indicators, text = vectorizer.transform(synthetic[:100])
    redundancy = vectorizer.redundancy_matrix(indicators, text)

    np.testing.assert_allclose(np.sqrt(text.multiply(text).sum(axis=1)), 1.0, rtol=1e-5)
    gram = (redundancy @ redundancy.T).toarray()
    np.testing.assert_allclose(np.diag(gram), 1.0, rtol=1e-5)
    assert gram.min() >= 0.0


def test_without_any_description_the_text_block_is_empty():
    profiles = [random_profile(random.Random(i), i, description="") for i in range(3)]
    vectorizer = ProfileVectorizer().fit(profiles)

    indicators, text = vectorizer.transform(profiles)

    assert text.shape == (3, 0) and indicators.shape[0] == 3
