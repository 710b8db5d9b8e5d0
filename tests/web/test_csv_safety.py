"""CSV import and export lose nothing, run no formulas and fail cleanly on bad files."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from directory import bulk, demo
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business

HEADER = "name,sector,stage,postcode"

SPECIAL = [
    # Cells a spreadsheet would run as formulas, in every text column a user fills.
    {"name": '=HYPERLINK("http://evil.example")', "description": "-2+3", "phone": "+44 1632"},
    {"name": "@SUM(A1)", "description": "'=already quoted", "phone": "=1+1"},
    {"name": "+Plus Co-op", "description": "\tstarts with a tab", "website": "https://-x.org"},
    {"name": "Minus", "description": "'plain apostrophe", "mentor_capacity": 3},
    {"name": "Paused Pub", "accepting_requests": False, "willing_to_mentor": True},
    {"name": "大阪の協同組合"},
    {"name": "!!!"},
]


def snapshot(app) -> dict[str, dict]:
    """Every field of every business, by name, as the import would set them."""
    with app.app_context():
        businesses = db.session.execute(select(Business)).scalars()
        return {b.name: dataclasses.asdict(bulk.stored_data(b)) for b in businesses}


@pytest.fixture
def directory(app):
    """Demo businesses plus the awkward ones above, saved through the import path."""
    with app.app_context():
        demo.ensure_networks()
        records = demo.generate(30, seed=3)
        for i, special in enumerate(SPECIAL):
            records.append(dataclasses.replace(records[i], **special))
        records[0].networks = ["plunkett-foundation"]
        bulk.save(records)
    return app


def export(runner, tmp_path, *flags) -> str:
    path = tmp_path / "export.csv"
    result = runner.invoke(args=["directory", "export", str(path), *flags])
    assert result.exit_code == 0, result.output
    return str(path)


def run_import(runner, path):
    return runner.invoke(args=["directory", "import", str(path)])


@pytest.mark.parametrize("flags", [(), ("--include-contacts",)], ids=["public", "contacts"])
def test_export_then_import_over_the_same_directory_changes_nothing(
    directory, runner, tmp_path, flags
):
    before = snapshot(directory)
    result = run_import(runner, export(runner, tmp_path, *flags))
    assert result.exit_code == 0, result.output
    assert f"(0 new, {len(before)} updated)" in result.output
    assert snapshot(directory) == before


@pytest.mark.parametrize("flags", [(), ("--include-contacts",)], ids=["public", "contacts"])
def test_export_imports_into_an_empty_directory_as_the_same_directory(
    directory, runner, tmp_path, flags
):
    before = snapshot(directory)
    path = export(runner, tmp_path, *flags)
    with directory.app_context():
        db.session.execute(db.delete(Business))
        db.session.commit()
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    after = snapshot(directory)
    if not flags:  # contact details were left out of the file, so they are empty now
        for fields in before.values():
            fields.update(email="", phone="")
    assert after == before


def test_exported_formula_cells_are_quoted_and_nothing_else_is(directory, runner, tmp_path):
    text = Path(export(runner, tmp_path, "--include-contacts")).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    cells = [value for row in rows for value in row.values()]
    for value in cells:
        assert not value.startswith(bulk.FORMULA_START)
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "'+44 1632" in cells
    assert "''=already quoted" in cells
    assert "'plain apostrophe" in cells


@pytest.mark.parametrize(
    "value", ["=1", "+1", "-1", "@a", "\tx", "\rx", "'=1", "''+1", "'x", "plain", "a=b"]
)
def test_neutralise_is_undone_exactly_by_the_import(value):
    assert bulk.unneutralise(bulk.neutralise(value)) == value
    assert not bulk.neutralise(value).startswith(bulk.FORMULA_START)


def _one_business(app, runner, tmp_path, **cells):
    path = tmp_path / "one.csv"
    columns = {"name": "Hill Farm", "sector": "shop", "stage": "growing", "postcode": "EX20 1AB"}
    columns.update(cells)
    path.write_text(",".join(columns) + "\n" + ",".join(columns.values()) + "\n")
    return run_import(runner, path)


FULL = {
    "legal_form": "cic",
    "founded_year": "2001",
    "needs": "legal",
    "offers": "funding",
    "description": "We grow food.",
    "email": "farm@example.org",
    "phone": "01632 960000",
    "website": "https://farm.example.org",
    "willing_to_mentor": "yes",
    "mentor_capacity": "4",
    "accepting_requests": "no",
    "networks": "plunkett-foundation",
}


@pytest.fixture
def farm(app, runner, tmp_path):
    with app.app_context():
        demo.ensure_networks()
        db.session.commit()
    result = _one_business(app, runner, tmp_path, **FULL)
    assert result.exit_code == 0, result.output
    return snapshot(app)["Hill Farm"]


@pytest.mark.parametrize("column", sorted(bulk.CLEARED))
def test_an_empty_cell_keeps_what_is_stored(app, runner, tmp_path, farm, column):
    result = _one_business(app, runner, tmp_path, **{**FULL, column: ""})
    assert result.exit_code == 0, result.output
    assert snapshot(app)["Hill Farm"] == farm


@pytest.mark.parametrize("column", sorted(bulk.CLEARED))
def test_a_missing_column_keeps_what_is_stored(app, runner, tmp_path, farm, column):
    result = _one_business(app, runner, tmp_path, **{k: v for k, v in FULL.items() if k != column})
    assert result.exit_code == 0, result.output
    assert snapshot(app)["Hill Farm"] == farm


@pytest.mark.parametrize("column", sorted(bulk.CLEARED))
def test_the_clear_cell_empties_a_field(app, runner, tmp_path, farm, column):
    result = _one_business(app, runner, tmp_path, **{**FULL, column: "(clear)"})
    assert result.exit_code == 0, result.output
    after = snapshot(app)["Hill Farm"]
    assert after[column] == bulk.CLEARED[column]
    assert {k: v for k, v in after.items() if k != column} == {
        k: v for k, v in farm.items() if k != column
    }


def test_an_old_file_without_pause_and_capacity_columns_still_imports(app, runner, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(f"{HEADER},willing_to_mentor\nOld Mill,shop,growing,EX20 1AB,yes\n")
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    mill = snapshot(app)["Old Mill"]
    assert (mill["accepting_requests"], mill["mentor_capacity"]) == (True, None)


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Business)).scalar()


@pytest.mark.parametrize("column", sorted(bulk.MAX_LENGTH))
def test_an_over_long_cell_is_a_numbered_error_and_nothing_is_written(
    app, runner, tmp_path, column, caplog
):
    too_long = "7" * (bulk.MAX_LENGTH[column] + 1)
    second = {"name": "Second Shop", "sector": "shop", "stage": "growing", "postcode": "EX20"}
    second[column] = too_long
    rows = io.StringIO()
    writer = csv.DictWriter(rows, fieldnames=list(second))
    writer.writeheader()
    writer.writerow(
        {**second, "name": "First Shop", column: ""}
        if column != "name"
        else {**second, "name": "First Shop"}
    )
    writer.writerow(second)
    path = tmp_path / "long.csv"
    path.write_text(rows.getvalue())
    with caplog.at_level(logging.DEBUG):
        result = run_import(runner, path)
    assert result.exit_code == 1
    assert f"line 3: {column} is longer than" in result.output
    assert "Traceback" not in result.output
    assert too_long not in result.output + caplog.text
    assert _count(app) == 0


def test_a_cell_over_the_csv_modules_limit_is_a_numbered_error(app, runner, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(f'{HEADER},description\nA,shop,growing,EX20 1AB,"{"x" * 200_000}"\n')
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "line 2: field larger than field limit" in result.output
    assert _count(app) == 0


def test_a_nul_byte_is_a_numbered_error_without_personal_data(app, runner, tmp_path, caplog):
    path = tmp_path / "nul.csv"
    path.write_text(f"{HEADER},email,phone\nA,shop,growing,EX20 1AB,a\x00@ex.org,07700 900123\n")
    with caplog.at_level(logging.DEBUG):
        result = run_import(runner, path)
    assert result.exit_code == 1
    assert "line 2: email contains a NUL character" in result.output
    assert "07700" not in result.output + caplog.text
    assert _count(app) == 0


def test_a_file_that_is_not_utf8_is_a_numbered_error(app, runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\nA,shop,growing,EX20 1AB\nCaf\xe9,shop,growing,EX20 1AB\n".encode("latin-1")
    )
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "line 3: the file is not UTF-8" in result.output
    assert "Traceback" not in result.output
    assert _count(app) == 0


def test_the_import_matches_an_existing_business_by_its_normalised_name(app, runner, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER},phone\nAcme Stores,shop,growing,EX20 1AB,01632 960001\n")
    assert run_import(runner, path).exit_code == 0
    path.write_text(f"{HEADER}\nACME  stores.,shop,established,EX20 1AB\n")
    result = run_import(runner, path)
    assert "(0 new, 1 updated)" in result.output
    with app.app_context():
        acme = db.session.execute(select(Business)).scalar_one()
        assert (acme.stage, acme.phone) == ("established", "01632 960001")
        assert business_service.find_by_name("acme stores") is not None


def test_names_that_normalise_alike_in_one_file_are_refused(app, runner, tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(f"{HEADER}\nAcme,shop,growing,EX20 1AB\nACME!,shop,growing,EX20 1AB\n")
    result = run_import(runner, path)
    assert "line 3: the same business as line 2" in result.output
    assert _count(app) == 0


def test_names_in_any_script_import_side_by_side(app, runner, tmp_path):
    path = tmp_path / "scripts.csv"
    names = ["大阪の協同組合", "!!!", "???", "Кооператив", "New"]
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(HEADER.split(","))
    for name in names:
        writer.writerow([name, "shop", "growing", "EX20 1AB"])
    path.write_text(rows.getvalue())
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    with app.app_context():
        slugs = db.session.execute(select(Business.slug)).scalars().all()
    assert len(set(slugs)) == len(names)
    assert "new" not in slugs
