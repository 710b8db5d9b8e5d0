"""CSV import and export through the CLI, on real Co-operatives UK records."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from directory import demo
from directory.extensions import db
from directory.models import Business, User
from tests.coops import COOPS_CSV, english_rows, to_csv

pytestmark = pytest.mark.skipif(not COOPS_CSV.exists(), reason="shared data not available")


@pytest.fixture
def networks(app):
    with app.app_context():
        demo.ensure_networks()
        db.session.commit()


def business_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Business)).scalar()


@pytest.fixture(scope="module")
def coops_rows():
    return english_rows(limit=220)


def test_import_of_220_real_coops_creates_every_business(
    app, runner, networks, coops_rows, tmp_path
):
    path = tmp_path / "coops.csv"
    path.write_text(to_csv(coops_rows), encoding="utf-8")

    result = runner.invoke(args=["directory", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported 220 businesses" in result.output
    assert business_count(app) == 220
    with app.app_context():
        first = db.session.execute(
            select(Business).where(Business.name == coops_rows[0]["name"])
        ).scalar_one()
        assert first.sector == coops_rows[0]["sector"]
        assert first.networks[0].name == "Co-operatives UK"
        assert first.region not in ("scotland", "wales", "northern-ireland")
        assert first.outcode == coops_rows[0]["postcode"].split()[0]


def test_import_rejects_file_with_bad_rows_names_each_line_and_changes_nothing(
    app, runner, networks, coops_rows, tmp_path
):
    rows = [dict(r) for r in coops_rows[:30]]
    rows[4]["sector"] = "spaceships"
    rows[9]["postcode"] = "ZZ99 9ZZ"
    rows[9]["town"] = ""
    rows[14]["stage"] = ""
    rows[19]["name"] = rows[2]["name"]
    path = tmp_path / "bad.csv"
    path.write_text(to_csv(rows), encoding="utf-8")

    result = runner.invoke(args=["directory", "import", str(path)])

    assert result.exit_code != 0
    assert "nothing was changed" in result.output
    assert "line 6: unknown sector “spaceships”" in result.output
    assert "line 11: We could not find the postcode ZZ99 9ZZ" in result.output
    assert "line 16: stage is required" in result.output
    assert "line 21: the same business as line 4" in result.output
    assert business_count(app) == 0


def test_import_rejects_unknown_columns(app, runner, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("name,sector,stage,postcode,colour\nA,shop,growing,EX20 1AB,red\n")
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code != 0
    assert "line 1: unknown column(s): colour" in result.output
    assert business_count(app) == 0


def test_import_accepts_labels_in_any_case_and_empty_optional_cells(app, runner, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        "name,sector,stage,town,needs,offers,willing_to_mentor\n"
        "Keswick Hub,COMMUNITY HUB OR SPACE,established,keswick,"
        "grants and fundraising; Legal,community-shares,Yes\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        hub = db.session.execute(select(Business)).scalar_one()
        assert (hub.sector, hub.stage, hub.region) == ("hub", "established", "north-west")
        assert sorted(hub.needs) == ["funding", "legal"]
        assert hub.offers == ["community-shares"]
        assert hub.willing_to_mentor is True


def test_export_imports_back_to_the_same_directory(app, runner, networks, coops_rows, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(to_csv(coops_rows[:60]), encoding="utf-8")
    assert runner.invoke(args=["directory", "import", str(source)]).exit_code == 0
    first_export = tmp_path / "out1.csv"
    assert runner.invoke(args=["directory", "export", str(first_export)]).exit_code == 0

    with app.app_context():
        db.session.execute(db.delete(Business))
        db.session.commit()
    result = runner.invoke(args=["directory", "import", str(first_export)])
    assert result.exit_code == 0, result.output
    second_export = tmp_path / "out2.csv"
    assert runner.invoke(args=["directory", "export", str(second_export)]).exit_code == 0

    first = list(csv.DictReader(first_export.read_text(encoding="utf-8").splitlines()))
    second = list(csv.DictReader(second_export.read_text(encoding="utf-8").splitlines()))
    assert len(first) == 60
    assert first == second


def test_reimporting_a_changed_row_updates_the_business(app, runner, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("name,sector,stage,postcode\nMarket Hall,shop,starting,EX20 1AB\n")
    assert runner.invoke(args=["directory", "import", str(path)]).exit_code == 0
    path.write_text("name,sector,stage,postcode\nMarket Hall,shop,growing,EX20 1AB\n")
    result = runner.invoke(args=["directory", "import", str(path)])
    assert "(0 new, 1 updated)" in result.output
    with app.app_context():
        assert db.session.execute(select(Business.stage)).scalar_one() == "growing"


def test_demo_is_deterministic_for_a_seed_and_prints_credentials(app, runner):
    result = runner.invoke(args=["demo", "--businesses", "25", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "member@peerlink.example" in result.output
    assert "coordinator@peerlink.example" in result.output
    assert "evaluator@peerlink.example" in result.output
    with app.app_context():
        roles = dict(db.session.execute(select(User.email, User.role)).all())
        assert roles["evaluator@peerlink.example"] == "evaluator"
        names = db.session.execute(select(Business.name).order_by(Business.name)).scalars().all()
        again = [d.name for d in demo.generate(25, seed=4)]
    assert len(names) == 25
    assert sorted(again) == names
    empty_run = runner.invoke(args=["demo", "--if-empty"])
    assert "already has 25 businesses" in empty_run.output
