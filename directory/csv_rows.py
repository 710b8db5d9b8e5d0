"""One CSV row of the directory: its columns, and the rules that turn cells into fields.

An empty cell or a missing column sets nothing (the import keeps what is stored); the cell
`(clear)` sets a field's empty value. Cells a spreadsheet would run as a formula are quoted
with an apostrophe on export (neutralise) and unquoted on import (unneutralise).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import String

from directory import places
from directory.models import Business
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
    "mentor_capacity",
    "accepting_requests",
    "networks",
)
REQUIRED_COLUMNS = ("name",)
# Cells a new business must fill (an existing one keeps what it has).
REQUIRED_FOR_NEW = ("sector", "stage")
CLEAR = "(clear)"
TRUE = {"yes", "y", "true", "1", "t"}
FALSE = {"no", "n", "false", "0", "f"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# What a spreadsheet starts a formula with (OWASP's list): such cells are exported as '=...
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The business form's limit too.
MAX_MENTOR_CAPACITY = 50
# Longest cell for columns without a database length (csv itself stops at 128 KB).
MAX_TEXT = 20_000


def _column_length(name: str) -> int:
    """The length of a String column of Business (a typed read of its declared length)."""
    column_type = Business.__table__.c[name].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"Business.{name} has no declared length")
    return column_type.length


# Longest cell per column: the database column's length, so nothing fails on saving.
MAX_LENGTH = {
    "name": _column_length("name"),
    "postcode": 20,
    "town": _column_length("town"),
    "email": _column_length("email"),
    "phone": _column_length("phone"),
    "website": _column_length("website") - len("https://"),
}
# Values a cleared field takes.
CLEARED: dict[str, Any] = {
    "legal_form": None,
    "founded_year": None,
    "needs": [],
    "offers": [],
    "description": "",
    "email": "",
    "phone": "",
    "website": "",
    "willing_to_mentor": False,
    "mentor_capacity": None,
    "accepting_requests": True,
    "networks": [],
}


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text: '=SUM(A1) instead of running =SUM(A1)."""
    if value.lstrip("'").startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The exact inverse of neutralise, so a round trip keeps every value."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_START):
        return value[1:]
    return value


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


def _yes_no(cell: str, column: str, errors: list[str]) -> bool | None:
    if cell.lower() in TRUE:
        return True
    if cell.lower() in FALSE:
        return False
    errors.append(f"{column} “{cell}” is not yes or no")
    return None


def _whole_number(cell: str, column: str, errors: list[str]) -> int | None:
    try:
        return int(float(cell))
    except (ValueError, OverflowError):
        errors.append(f"{column} “{cell}” is not a whole number")
        return None


def _check_cells(cell: dict[str, str], errors: list[str]) -> None:
    for column, value in cell.items():
        if "\x00" in value:
            errors.append(f"{column} contains a NUL character")
        limit = MAX_LENGTH.get(column, MAX_TEXT)
        if len(value) > limit:
            errors.append(f"{column} is longer than {limit} characters")


def parse_row(row: dict[str, str], networks: dict[str, str], is_new: bool) -> tuple[dict, list]:
    """Validate one CSV row: the fields it sets, or the list of what is wrong with it."""
    errors: list[str] = []
    cell = {k: unneutralise((row.get(k) or "").strip()) for k in COLUMNS if row.get(k)}
    cell = {k: v for k, v in cell.items() if v}
    _check_cells(cell, errors)
    if errors:
        return {}, errors
    values: dict[str, Any] = {}
    for column, value in cell.items():
        if value.casefold() == CLEAR:
            if column not in CLEARED:
                errors.append(f"{column} cannot be cleared")
            else:
                values[column] = CLEARED[column]
    if "name" not in cell:
        errors.append("name is required")
    if is_new:
        errors.extend(f"{name} is required" for name in REQUIRED_FOR_NEW if name not in cell)
        if "postcode" not in cell and "town" not in cell:
            errors.append("give a postcode or a town")
    given = {k: v for k, v in cell.items() if k not in values}
    if "sector" in given:
        sectors = _slugs(given["sector"], SECTORS, "sector", errors)
        if sectors:
            values["sector"], values["other_sectors"] = sectors[0], sectors[1:]
    if "legal_form" in given:
        values["legal_form"] = lookup(LEGAL_FORMS, given["legal_form"])
        if values["legal_form"] is None:
            errors.append(f"unknown legal_form “{given['legal_form']}”")
    if "stage" in given:
        values["stage"] = lookup(STAGES, given["stage"])
        if values["stage"] is None:
            errors.append(f"unknown stage “{given['stage']}”")
    if "founded_year" in given:
        year = _whole_number(given["founded_year"], "founded_year", errors)
        if year is not None and not 1800 <= year <= date.today().year:
            errors.append(f"founded_year {year} is not between 1800 and {date.today().year}")
        values["founded_year"] = year
    for column, what in (("needs", "need"), ("offers", "offer")):
        if column in given:
            values[column] = _slugs(given[column], TOPICS, what, errors)
    for column in ("willing_to_mentor", "accepting_requests"):
        if column in given:
            values[column] = _yes_no(given[column], column, errors)
    if "mentor_capacity" in given:
        capacity = _whole_number(given["mentor_capacity"], "mentor_capacity", errors)
        if capacity is not None and not 0 <= capacity <= MAX_MENTOR_CAPACITY:
            errors.append(f"mentor_capacity {capacity} is not between 0 and {MAX_MENTOR_CAPACITY}")
        values["mentor_capacity"] = capacity
    if "email" in given:
        if not EMAIL.match(given["email"]):
            errors.append("email is not an email address")  # not echoed: it is personal data
        values["email"] = given["email"].lower()
    if "phone" in given:
        values["phone"] = given["phone"]
    if "description" in given:
        values["description"] = given["description"]
    if "website" in given:
        website = given["website"]
        values["website"] = (
            website if re.match(r"^https?://", website, re.I) else ("https://" + website)
        )
    if "networks" in given:
        found = []
        for value in _split(given["networks"]):
            slug = networks.get(" ".join(value.split()).casefold())
            if slug is None:
                errors.append(f"unknown network “{value}”")
            else:
                found.append(slug)
        values["networks"] = list(dict.fromkeys(found))
    if "postcode" in cell or "town" in cell:
        try:
            values["place"] = places.resolve_place(cell.get("postcode", ""), cell.get("town"))
        except places.LocationError as exc:
            errors.append(str(exc).rstrip("."))
    return values, errors
