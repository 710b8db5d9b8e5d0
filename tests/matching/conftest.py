"""Plain records only: these tests never touch Flask or a database."""

from __future__ import annotations

import pytest

from matching import Matcher, Profile
from matching.synthetic import directory
from tests.matching.factories import business


@pytest.fixture
def requester() -> Profile:
    return business(1, km=0.0)


@pytest.fixture(scope="session")
def synthetic() -> list[Profile]:
    return directory(3000, seed=7)


@pytest.fixture(scope="session")
def fitted(synthetic) -> Matcher:
    """Shared and read-only: tests that update a matcher fit their own."""
    return Matcher().fit(synthetic)
