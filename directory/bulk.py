"""CSV import and export of the directory: all or nothing, with line numbers."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory import places
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business, Network
from matching.vocab import LEGAL_FORMS, SECTORS, STAGES, TOPICS, lookup

COLUMNS = (
    "name",
    "sector",
    "legal_form",
    "stage",
    "founded_year",
    "postcode",
    "town",
    "needs",
    "offers",
    "description",
    "email",
    "phone",
    "website",
    "willing_to_mentor",
    "networks",
)
REQUIRED = ("name", "sector", "stage")
TRUE = {"yes", "y", "true", "1", "t"}
FALSE = {"no", "n", "false", "0", "f", ""}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ImportReport:
    created: int
    updated: int


class ImportProblems(ValueError):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _slugs(cell: str, vocabulary: dict[str, str], what: str, errors: list[str]) -> list[str]:
    found = []
    for value in _split(cell):
        slug = lookup(vocabulary, value)
        if slug is None:
            errors.append(f"unknown {what} “{value}”")
        else:
            found.append(slug)
    return list(dict.fromkeys(found))


def parse_row(
    row: dict[str, str], networks: dict[str, str]
) -> tuple[business_service.BusinessData | None, list[str]]:
    """Validate one CSV row; returns the data or the list of what is wrong with it."""
    errors: list[str] = []
    cell = {k: (row.get(k) or "").strip() for k in COLUMNS}
    for name in REQUIRED:
        if not cell[name]:
            errors.append(f"{name} is required")
    if cell["name"] and len(cell["name"]) > 160:
        errors.append("name is longer than 160 characters")
    sectors = _slugs(cell["sector"], SECTORS, "sector", errors) if cell["sector"] else []
    legal = None
    if cell["legal_form"]:
        legal = lookup(LEGAL_FORMS, cell["legal_form"])
        if legal is None:
            errors.append(f"unknown legal_form “{cell['legal_form']}”")
    stage = None
    if cell["stage"]:
        stage = lookup(STAGES, cell["stage"])
        if stage is None:
            errors.append(f"unknown stage “{cell['stage']}”")
    year = None
    if cell["founded_year"]:
        try:
            year = int(float(cell["founded_year"]))
        except ValueError:
            errors.append(f"founded_year “{cell['founded_year']}” is not a year")
        else:
            if not 1800 <= year <= date.today().year:
                errors.append(f"founded_year {year} is not between 1800 and {date.today().year}")
    needs = _slugs(cell["needs"], TOPICS, "need", errors)
    offers = _slugs(cell["offers"], TOPICS, "offer", errors)
    mentor = cell["willing_to_mentor"].lower()
    if mentor not in TRUE | FALSE:
        errors.append(f"willing_to_mentor “{cell['willing_to_mentor']}” is not yes or no")
    if cell["email"] and not EMAIL.match(cell["email"]):
        errors.append(f"email “{cell['email']}” is not an email address")
    website = cell["website"]
    if website and not re.match(r"^https?://", website, re.I):
        website = "https://" + website
    network_slugs = []
    for value in _split(cell["networks"]):
        slug = networks.get(" ".join(value.split()).casefold())
        if slug is None:
            errors.append(f"unknown network “{value}”")
        else:
            network_slugs.append(slug)
    place = None
    if not cell["postcode"] and not cell["town"]:
        errors.append("give a postcode or a town")
    else:
        try:
            place = places.resolve_place(cell["postcode"], cell["town"])
        except places.LocationError as exc:
            errors.append(str(exc).rstrip("."))
    if errors:
        return None, errors
    return business_service.BusinessData(
        name=" ".join(cell["name"].split()),
        sector=sectors[0],
        other_sectors=sectors[1:],
        legal_form=legal,
        stage=stage,
        founded_year=year,
        place=place,
        needs=needs,
        offers=offers,
        description=cell["description"],
        email=cell["email"].lower(),
        phone=cell["phone"],
        website=website,
        willing_to_mentor=mentor in TRUE,
        networks=list(dict.fromkeys(network_slugs)),
    ), []


def network_lookup() -> dict[str, str]:
    """Network slug or name, case-folded, to slug."""
    table = {}
    for network in db.session.execute(select(Network)).scalars():
        table[network.slug.casefold()] = network.slug
        table[network.name.casefold()] = network.slug
    return table


def read_csv(stream: IO[str]) -> list[tuple[int, business_service.BusinessData]]:
    """Parse and validate a whole file; raises ImportProblems listing every bad line."""
    reader = csv.DictReader(stream)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportProblems(["line 1: the file is empty (expected a header row)"])
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if "postcode" not in header and "town" not in header:
        missing.append("postcode or town")
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"line 1: missing column(s): {', '.join(missing)}")
        if unknown:
            problems.append(
                f"line 1: unknown column(s): {', '.join(unknown)} (expected {', '.join(COLUMNS)})"
            )
        raise ImportProblems(problems)
    networks = network_lookup()
    records: list[tuple[int, business_service.BusinessData]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    line = 1
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        data, errors = parse_row(row, networks)
        if data is not None:
            slug = business_service.slugify(data.name)
            if slug in seen:
                errors.append(f"the same business as line {seen[slug]} (name “{data.name}”)")
            seen.setdefault(slug, line)
        if errors:
            problems.append(f"line {line}: " + "; ".join(errors))
        else:
            records.append((line, data))
    if problems:
        raise ImportProblems(problems)
    return records


def save(records: Iterable[business_service.BusinessData], owner=None) -> ImportReport:
    """Create or update (matched by name) every record in one transaction."""
    records = list(records)
    slugs = [business_service.slugify(r.name) for r in records]
    existing: dict[str, Business] = {}
    for start in range(0, len(slugs), 500):
        chunk = slugs[start : start + 500]
        rows = db.session.execute(
            select(Business)
            .where(Business.slug.in_(chunk))
            .options(selectinload(Business.topic_rows), selectinload(Business.other_sector_rows))
        ).scalars()
        existing.update({b.slug: b for b in rows})
    networks = {n.slug: n for n in db.session.execute(select(Network)).scalars()}
    created = updated = 0
    try:
        for slug, data in zip(slugs, records, strict=True):
            business = existing.get(slug)
            if business is None:
                business = Business(owner=owner)
                db.session.add(business)
                created += 1
            else:
                updated += 1
            business_service.apply_business(business, data, networks)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    business_service.directory_changed()
    return ImportReport(created=created, updated=updated)


def import_csv(stream: IO[str]) -> ImportReport:
    records = read_csv(stream)
    return save(data for _, data in records)


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
        yield {
            "name": b.name,
            "sector": "; ".join(b.sectors),
            "legal_form": b.legal_form or "",
            "stage": b.stage,
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
            "networks": "; ".join(n.slug for n in b.networks),
        }


def export_csv(stream: IO[str], include_contacts: bool = False) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    n = 0
    for row in export_rows(include_contacts):
        writer.writerow(row)
        n += 1
    return n
