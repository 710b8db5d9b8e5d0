"""CSV import and export of the directory: all or nothing, with line numbers.

A file changes only what it says. For a business already in the directory an empty cell, or a
column the file does not have, keeps what is stored (an export without contact details must
not wipe them); the cell `(clear)` empties a field on purpose. Exported cells that a
spreadsheet would run as a formula get a leading apostrophe, which the import takes off again,
so export then import changes nothing. The per-cell rules live in directory.csv_rows.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from directory import places
from directory.businesses import service as business_service
from directory.csv_rows import (  # noqa: F401  (re-exported: the CSV format's public names)
    CLEAR,
    CLEARED,
    COLUMNS,
    FORMULA_START,
    MAX_LENGTH,
    REQUIRED_COLUMNS,
    neutralise,
    parse_row,
    unneutralise,
)
from directory.extensions import db
from directory.models import Business, Network

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    created: int
    updated: int


@dataclass
class Row:
    """One validated line: the fields it sets (a missing key means: keep what is stored)."""

    line: int
    name: str
    values: dict[str, Any]


class ImportProblems(ValueError):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def network_lookup() -> dict[str, str]:
    """Network slug or name, case-folded, to slug."""
    table = {}
    for network in db.session.execute(select(Network)).scalars():
        table[network.slug.casefold()] = network.slug
        table[network.name.casefold()] = network.slug
    return table


def _read_header(reader: csv.DictReader) -> list[str]:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportProblems(["line 1: the file is empty (expected a header row)"])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"line 1: missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(
            f"line 1: unknown column(s): {', '.join(unknown)} (expected {', '.join(COLUMNS)})"
        )
    if problems:
        raise ImportProblems(problems)
    return header


def _rows(reader: csv.DictReader) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers; a broken file is a line-numbered problem."""
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:  # a cell over 128 KB, a quote never closed ...
        raise ImportProblems([f"line {reader.line_num + 1}: {exc}"]) from None
    except UnicodeDecodeError:
        raise ImportProblems(
            [f"line {reader.line_num + 1}: the file is not UTF-8 text (save it as CSV UTF-8)"]
        ) from None


def decode(data: bytes) -> str:
    """A file's bytes as text; not UTF-8 is a problem on the line where it stops being so."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportProblems(
            [f"line {line}: the file is not UTF-8 text (save it as “CSV UTF-8”)"]
        ) from None


def read_csv(stream: IO[str]) -> list[Row]:
    """Parse and validate a whole file; raises ImportProblems listing every bad line."""
    reader = csv.DictReader(stream)
    try:
        reader.fieldnames = _read_header(reader)
    except (csv.Error, UnicodeDecodeError):
        raise ImportProblems(["line 1: the header row is not readable UTF-8 CSV"]) from None
    networks = network_lookup()
    known = set(db.session.execute(select(Business.name_key)).scalars())
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, row in _rows(reader):
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        name = " ".join(unneutralise((row.get("name") or "").strip()).split())
        key = business_service.normalised_name(name)
        values, errors = parse_row(row, networks, is_new=key not in known)
        if name and key in seen:
            errors.append(f"the same business as line {seen[key]} (name “{name}”)")
        seen.setdefault(key, line)
        if errors:
            problems.append(f"line {line}: " + "; ".join(errors))
        else:
            rows.append(Row(line=line, name=name, values=values))
    if problems:
        raise ImportProblems(problems)
    return rows


def stored_data(business: Business) -> business_service.BusinessData:
    """What is stored for a business, as the data a form or a row would give."""
    return business_service.BusinessData(
        name=business.name,
        sector=business.sector,
        stage=business.stage,
        place=places.Place(
            postcode=business.postcode,
            outcode=business.outcode,
            town=business.town,
            latitude=business.latitude,
            longitude=business.longitude,
            region=business.region,
            public_latitude=business.public_latitude,
            public_longitude=business.public_longitude,
        ),
        description=business.description,
        other_sectors=business.other_sectors,
        legal_form=business.legal_form,
        founded_year=business.founded_year,
        needs=business.needs,
        offers=business.offers,
        willing_to_mentor=business.willing_to_mentor,
        website=business.website,
        email=business.email,
        phone=business.phone,
        networks=[n.slug for n in business.networks],
        mentor_capacity=business.mentor_capacity,
        accepting_requests=business.accepting_requests,
    )


def save_rows(rows: Iterable[Row], owner=None) -> ImportReport:
    """Create or update (matched by normalised name) every row in one transaction."""
    rows = list(rows)
    keys = [business_service.normalised_name(r.name) for r in rows]
    existing: dict[str, Business] = {}
    for start in range(0, len(keys), 500):
        found = db.session.execute(
            select(Business)
            .where(Business.name_key.in_(keys[start : start + 500]))
            .order_by(Business.id.desc())
            .options(
                selectinload(Business.topic_rows),
                selectinload(Business.other_sector_rows),
                selectinload(Business.networks),
            )
        ).scalars()
        existing.update({b.name_key: b for b in found})
    networks = {n.slug: n for n in db.session.execute(select(Network)).scalars()}
    taken = set(db.session.execute(select(Business.slug)).scalars())
    created = updated = 0
    try:
        for key, row in zip(keys, rows, strict=True):
            business = existing.get(key)
            if business is None:
                business = Business(owner=owner)
                db.session.add(business)
                data = business_service.BusinessData(name=row.name, **row.values)
                created += 1
            else:
                data = dataclasses.replace(stored_data(business), name=row.name, **row.values)
                updated += 1
            business_service.apply_business(business, data, networks, taken_slugs=taken)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        # The exception's text holds the row's values (emails, phones): keep them out of logs.
        log.error("CSV import refused by the database: %s", type(exc).__name__)
        raise ImportProblems(
            [f"the database refused the file ({type(exc).__name__}); nothing was changed"]
        ) from None
    except Exception:
        db.session.rollback()
        raise
    business_service.directory_changed()
    return ImportReport(created=created, updated=updated)


def save(records: Iterable[business_service.BusinessData], owner=None) -> ImportReport:
    """Save complete records (the demo loader) through the same path as an import."""
    rows = []
    for data in records:
        values = dataclasses.asdict(data)
        values["place"] = data.place
        rows.append(Row(line=0, name=values.pop("name"), values=values))
    return save_rows(rows, owner=owner)


def import_csv(stream: IO[str]) -> ImportReport:
    return save_rows(read_csv(stream))


def export_rows(include_contacts: bool = False) -> Iterable[dict[str, str]]:
    """Rows in import format; contact email and phone only for a full (private) backup."""
    stmt = (
        select(Business)
        .order_by(Business.name, Business.id)
        .options(
            selectinload(Business.topic_rows),
            selectinload(Business.other_sector_rows),
            selectinload(Business.networks),
        )
        .execution_options(yield_per=1000)
    )
    for b in db.session.execute(stmt).scalars():
        row = {
            "name": b.name,
            "sector": "; ".join(b.sectors),
            "legal_form": b.legal_form or "",
            "stage": b.stage or "",
            "founded_year": str(b.founded_year or ""),
            "postcode": b.postcode or b.outcode or "",
            "town": b.town,
            "needs": "; ".join(b.needs),
            "offers": "; ".join(b.offers),
            "description": b.description,
            "email": b.email if include_contacts else "",
            "phone": b.phone if include_contacts else "",
            "website": b.website,
            "willing_to_mentor": "yes" if b.willing_to_mentor else "no",
            "mentor_capacity": "" if b.mentor_capacity is None else str(b.mentor_capacity),
            "accepting_requests": "yes" if b.accepting_requests else "no",
            "networks": "; ".join(n.slug for n in b.networks),
        }
        yield {column: neutralise(value) for column, value in row.items()}


def export_csv(stream: IO[str], include_contacts: bool = False) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    n = 0
    for row in export_rows(include_contacts):
        writer.writerow(row)
        n += 1
    return n
