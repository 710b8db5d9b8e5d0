"""What a directory search asks for, read from the query string with messages people understand."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from matching.vocab import REGIONS, SECTORS, STAGES, TOPICS

SORTS = {
    "relevance": "Best match",
    "distance": "Nearest first",
    "name": "Name A to Z",
    "newest": "Newest first",
}
RADII = (5, 10, 20, 50, 100, 200)
DEFAULT_RADIUS_KM = 20.0

# Facets as the form shows them: parameter -> (legend, options).
FACETS: dict[str, tuple[str, dict[str, str]]] = {
    "sector": ("Sector", SECTORS),
    "stage": ("Stage", STAGES),
    "need": ("Needs help with", TOPICS),
    "offer": ("Can help with", TOPICS),
    "region": ("Region", REGIONS),
}

# Numbers people may type or edit in the address: parameter -> (what it is, unit).
_NUMBERS = {
    "radius_km": ("The distance", " km"),
    "page": ("The page number", ""),
    "per_page": ("The number of results per page", ""),
}


@dataclass
class DirectoryQuery:
    q: str = ""
    sector: list[str] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)
    need: list[str] = field(default_factory=list)
    offer: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    near: str = ""
    radius_km: float = DEFAULT_RADIUS_KM
    mentors: bool = False
    # `sort` is the order used; `chosen_sort` the one asked for ("" lets the search decide).
    sort: str = ""
    chosen_sort: str = ""
    page: int = 1
    per_page: int = 20
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(
        cls, args: MultiDict, per_page_default: int = 20, per_page_max: int = 100
    ) -> DirectoryQuery:
        """Parse query parameters; unknown values become messages, never exceptions."""
        query = cls(q=" ".join(args.get("q", "").split())[:200], near=args.get("near", "").strip())
        for name, (legend, vocabulary) in FACETS.items():
            values = list(dict.fromkeys(v for v in args.getlist(name) if v))
            unknown = [v for v in values if v not in vocabulary]
            if unknown:
                names = ", ".join(f"“{v}”" for v in unknown)
                query.errors[name] = f"{legend}: we do not know {names}, so it was left out."
            setattr(query, name, [v for v in values if v in vocabulary])
        query.network = list(dict.fromkeys(v for v in args.getlist("network") if v))
        query.mentors = args.get("mentors", "").lower() in {"1", "true", "on", "yes"}
        query.radius_km = _number(args, "radius_km", DEFAULT_RADIUS_KM, query.errors, 1, 1000)
        query.page = int(_number(args, "page", 1, query.errors, 1, 100_000))
        query.per_page = int(
            _number(args, "per_page", per_page_default, query.errors, 1, per_page_max)
        )
        sort = args.get("sort", "")
        if sort and sort not in SORTS:
            choices = ", ".join(f"“{label}”" for label in SORTS.values())
            query.errors["sort"] = f"We cannot sort by “{sort}”: choose {choices}."
            sort = ""
        if sort == "distance" and not query.near:
            query.errors["sort"] = "To sort by distance, give a postcode or town in “Near”."
            sort = ""
        query.chosen_sort = sort
        query.sort = sort or ("relevance" if query.q else "distance" if query.near else "name")
        return query

    def to_args(self, **overrides) -> dict:
        """Query parameters that reproduce this search (for pagination and view links)."""
        args: dict = {
            "q": self.q,
            "sector": self.sector,
            "stage": self.stage,
            "need": self.need,
            "offer": self.offer,
            "region": self.region,
            "network": self.network,
            "near": self.near,
            "radius_km": _plain_number(self.radius_km) if self.near else None,
            "mentors": "1" if self.mentors else None,
            "sort": self.chosen_sort,
            "per_page": self.per_page if self.per_page != 20 else None,
        }
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "", [])}

    def without(self, name: str, value: str | None = None) -> dict:
        """The arguments of this search less one filter (or one value of it): a tag's link."""
        current = self.to_args()
        if value is not None and isinstance(current.get(name), list):
            current[name] = [v for v in current[name] if v != value]
        else:
            current.pop(name, None)
            if name == "near":
                current.pop("radius_km", None)
        return {k: v for k, v in current.items() if v not in (None, "", [])}


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _number(args: MultiDict, name: str, default: float, errors: dict, low, high) -> float:
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    what, unit = _NUMBERS[name]
    try:
        value = float(raw)
    except ValueError:
        errors[name] = f"{what} must be a number, not “{raw}”."
        return default
    if not math.isfinite(value) or value < low or value > high:
        errors[name] = f"{what} must be between {low} and {high}{unit}."
        return default
    return value
