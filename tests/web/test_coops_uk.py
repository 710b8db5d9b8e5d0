"""The Co-operatives UK importer on the real open dataset: every row accounted for, twice."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Business
from directory.opendata import coops_uk
from directory.places import distance_km
from tests.conftest import SHARED_DATA

COOPS_CSV = SHARED_DATA / "coops_uk_open_data_2023.csv"
pytestmark = pytest.mark.skipif(not COOPS_CSV.exists(), reason="shared data not available")


def counts(output: str) -> dict[str, int]:
    head = re.search(r"Read (\d+) rows: (\d+) imported, (\d+) updated, (\d+) skipped", output)
    return dict(
        zip(("rows", "imported", "updated", "skipped"), map(int, head.groups()), strict=True)
    )


def test_the_whole_real_file_imports_every_england_row_or_says_why_and_never_duplicates(
    app, runner
):
    first = runner.invoke(args=["directory", "import", str(COOPS_CSV), "--format", "coops-uk"])
    assert first.exit_code == 0, first.output
    with COOPS_CSV.open(newline="", encoding="utf-8") as stream:
        rows = sum(1 for _ in csv.DictReader(stream))
    done = counts(first.output)
    assert done["rows"] == rows and done["updated"] == 0
    assert done["imported"] + done["skipped"] == rows
    reasons = dict(re.findall(r"  skipped: (.+): (\d+)", first.output))
    assert sum(map(int, reasons.values())) == done["skipped"]
    assert set(reasons) <= {
        "outside England (Scotland)",
        "outside England (Wales)",
        "outside England (Northern Ireland)",
        "outside England (Jersey)",
        "no postcode",
        "postcode not found",
    }
    with app.app_context():
        stored = db.session.execute(
            select(func.count(), func.count(func.distinct(Business.source_id))).where(
                Business.source == "coops-uk"
            )
        ).one()
        assert tuple(stored) == (done["imported"], done["imported"])
        # Businesses are told apart by normalised name: shared names get the town or the id.
        keys = db.session.execute(select(func.count(func.distinct(Business.name_key)))).scalar()
        assert keys == done["imported"]
        # Every profile has a public point (its postcode district), never the null island.
        points = db.session.execute(
            select(
                Business.latitude,
                Business.longitude,
                Business.public_latitude,
                Business.public_longitude,
            )
        ).all()
        far = [p for p in points if distance_km(p[:2], p[2:]) > 30]
        assert not far
        outside = db.session.execute(
            select(func.count()).where(
                Business.region.in_(["wales", "scotland", "northern-ireland"])
            )
        ).scalar()
        assert outside == 0
        unknown = db.session.execute(
            select(func.count()).where(
                Business.stage.is_(None), Business.owner_id.is_(None), ~Business.topic_rows.any()
            )
        ).scalar()
        assert unknown == done["imported"]  # stage, needs and offers unknown; all unclaimed
        group = db.session.execute(
            select(Business).where(Business.source_id == "R000001")
        ).scalar_one()
        assert (group.name, group.sector, group.legal_form, group.postcode) == (
            "The Co-operative Group",
            "shop",
            "cbs",
            "M60 0AG",
        )
    second = runner.invoke(args=["directory", "import", str(COOPS_CSV), "--format", "coops-uk"])
    again = counts(second.output)
    assert (again["imported"], again["updated"]) == (0, done["imported"])
    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Business)).scalar()
        assert total == done["imported"]


def test_reimport_keeps_what_an_owner_filled_in_and_leaves_claimed_profiles_alone(
    app, runner, make_user
):
    sample = "\n".join(COOPS_CSV.read_text(encoding="utf-8").splitlines()[:40]) + "\n"
    with app.app_context():
        coops_uk.import_coops_uk(io.StringIO(sample))
        first = (
            db.session.execute(
                select(Business).where(Business.source == "coops-uk").order_by(Business.id)
            )
            .scalars()
            .all()
        )
        owned, filled = first[0], first[1]
        owned.owner_id = make_user("owner@example.org")
        owned.description = "Written by the owner"
        filled.stage, filled.needs = "growing", ["funding"]
        db.session.commit()
        report = coops_uk.import_coops_uk(io.StringIO(sample))
        assert report.skipped["claimed: its owner keeps it up to date"] == 1
        db.session.refresh(owned)
        db.session.refresh(filled)
        assert owned.description == "Written by the owner"
        assert (filled.stage, filled.needs) == ("growing", ["funding"])


@pytest.mark.parametrize(
    ("uri", "decoded"),
    [
        (coops_uk.ESSGLOBAL + "organisational-structure/OS130", "OS130"),
        (coops_uk.ESSGLOBAL + "activities-ica/ICA210", "ICA210"),
        (coops_uk.ESSGLOBAL + "base-membership-type/BMT30", "BMT30"),
        (coops_uk.ESSGLOBAL + "organisational-structure/OS999", None),
        ("https://example.org/OS130", None),
    ],
)
def test_essglobal_uris_are_decoded_to_their_labels(uri, decoded):
    found = coops_uk.decode(uri)
    assert (found[0] if found else None) == decoded
    if found:
        assert found[1]


def test_an_imported_profile_says_what_is_unknown_and_invites_a_claim(app, client):
    sample = "\n".join(COOPS_CSV.read_text(encoding="utf-8").splitlines()[:6]) + "\n"
    with app.app_context():
        coops_uk.import_coops_uk(io.StringIO(sample))
        slug = db.session.execute(select(Business.slug)).scalars().first()
    page = client.get(f"/businesses/{slug}").get_data(as_text=True)
    assert "Stage not known" in page and "Not known yet: stage, needs, offers" in page
    assert "Claim it" in page
