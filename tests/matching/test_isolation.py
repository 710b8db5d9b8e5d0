"""`matching/` is usable without the web app, and cheap to import for its vocabularies."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from matching import Matcher, Profile
from matching.synthetic import directory
profiles = directory(50)
Matcher().fit(profiles).suggest(profiles[0], "mentor")
web = sorted(m for m in ("flask", "sqlalchemy", "directory") if m in sys.modules)
assert not web, web
"""


def test_matching_runs_without_importing_flask_or_sqlalchemy():
    subprocess.run([sys.executable, "-c", SCRIPT], check=True)


def test_the_vocabularies_import_without_scikit_learn():
    script = "import sys, matching.vocab; assert 'sklearn' not in sys.modules"
    subprocess.run([sys.executable, "-c", script], check=True)
