"""Import Co-operatives UK's open dataset of the UK co-operative economy.

The dataset (Digital Commons "standard" CSV) names structures and activities by essglobal URIs,
has its own sectors, SIC codes and legal forms, and a postcode with its centroid. This module
maps them onto Peerlink's vocabularies and leaves what the dataset does not say (stage, needs,
offers, willingness to mentor) unknown: matching treats unknown as unknown, and the owner fills
them in once the profile is claimed. Rows are matched on the dataset's `Identifier`, so a
second import updates instead of duplicating; a claimed profile is its owner's and is left alone.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory import places
from directory.businesses import service as business_service
from directory.extensions import db
from directory.models import Business
from directory.places.offline import district_point

SOURCE = "coops-uk"
ESSGLOBAL = "https://dev.lod.coop/essglobal/2.1/standard/"
OUTSIDE_ENGLAND = {"wales": "Wales", "scotland": "Scotland", "northern-ireland": "Northern Ireland"}
# Postcode areas wholly outside England, for postcodes the offline tables do not place.
AREAS_OUTSIDE_ENGLAND = {
    "BT": "Northern Ireland",
    "CF": "Wales",
    "NP": "Wales",
    "SA": "Wales",
    "LL": "Wales",
    "LD": "Wales",
    "JE": "Jersey",
    "GY": "Guernsey",
    "IM": "the Isle of Man",
}

# essglobal terms (from the dataset's vocabulary file), by the URI's last two parts.
ESSGLOBAL_TERMS = {
    "organisational-structure": {
        "OS10": "Community group (formal or informal)",
        "OS100": "Multi-stakeholder cooperative",
        "OS110": "Secondary cooperative",
        "OS115": "Cooperative",
        "OS120": "Community Interest Company (CIC)",
        "OS130": "Community Benefit Society / Industrial and Provident Society (IPS)",
        "OS140": "Employee trust",
        "OS150": "Self-employed",
        "OS160": "Unincorporated",
        "OS170": "Mutual",
        "OS20": "Not-for-profit organisation",
        "OS30": "Social enterprise",
        "OS40": "Charity",
        "OS50": "Company (Other)",
        "OS60": "Workers cooperative",
        "OS70": "Housing cooperative",
        "OS80": "Consumer/User coops",
        "OS90": "Producer cooperative",
    },
    "activities-ica": {
        "ICA10": "Agriculture",
        "ICA100": "Mining",
        "ICA110": "Professional",
        "ICA120": "Service",
        "ICA130": "Tourism",
        "ICA140": "Financial Services",
        "ICA150": "Insurance",
        "ICA160": "Education",
        "ICA170": "Health",
        "ICA180": "Community",
        "ICA190": "Social",
        "ICA20": "Dairy",
        "ICA200": "Social Service",
        "ICA210": "Housing",
        "ICA220": "Transport",
        "ICA230": "Utilities",
        "ICA240": "Retail",
        "ICA250": "Production",
        "ICA260": "Wholesale and retail trade",
        "ICA270": "Education / health / social work",
        "ICA280": "Other Services",
        "ICA30": "Forestry",
        "ICA50": "Fishing",
        "ICA60": "Artisans",
        "ICA70": "Construction",
        "ICA80": "Industry",
        "ICA90": "Manufacturing",
    },
    "base-membership-type": {
        "BMT10": "Consumer/Users",
        "BMT20": "Producers",
        "BMT30": "Workers",
        "BMT40": "Multi-stakeholders",
        "BMT50": "Residents",
        "BMT60": "Others",
    },
}

# The dataset's `Sector`, mapped to Peerlink's sectors ("Other" and blanks are guessed below).
SECTOR_MAP = {
    "Housing": "housing",
    "Retail": "shop",
    "Sports and Recreation": "sport-leisure",
    "Agriculture": "food-growing",
    "Finance": "finance",
    "Food service, Accommodation and Pubs": "pub",
    "Energy and Environment": "energy",
    "Education": "employment-training",
    "Arts and Culture": "arts-culture",
    "Digital, Media and Communication": "digital",
    "Health and Social Care": "health-care",
    "Transport": "transport",
    "Membership associations, social clubs and trade unions": "hub",
}
# SIC 2007 divisions (first two digits) that name a Peerlink sector.
SIC_DIVISIONS = {
    **dict.fromkeys(("01", "02", "03"), "food-growing"),
    "35": "energy",
    **dict.fromkeys(("45", "46", "47"), "shop"),
    **dict.fromkeys(("49", "50", "51", "52", "53"), "transport"),
    "55": "tourism",
    "56": "cafe-food",
    **dict.fromkeys(("58", "59", "60", "61", "62", "63"), "digital"),
    **dict.fromkeys(("64", "65", "66"), "finance"),
    "68": "housing",
    "85": "employment-training",
    **dict.fromkeys(("86", "87", "88"), "health-care"),
    **dict.fromkeys(("90", "91"), "arts-culture"),
    "93": "sport-leisure",
    "94": "hub",
}
# The primary activity (essglobal ICA code) when neither the sector nor the SIC code says.
ACTIVITY_SECTORS = {
    "ICA10": "food-growing",
    "ICA20": "food-growing",
    "ICA130": "tourism",
    "ICA140": "finance",
    "ICA150": "finance",
    "ICA170": "health-care",
    "ICA180": "hub",
    "ICA200": "health-care",
    "ICA210": "housing",
    "ICA220": "transport",
    "ICA230": "energy",
    "ICA240": "shop",
    "ICA260": "shop",
}
LEGAL_FORMS = {
    "Community Interest Company": "cic",
    "Company": "clg",
    "Unincorporated": "unincorporated",
    "LLP": "other",
    "Limited Partnership": "other",
    "Act of Parliament": "other",
    "Scottish Charitable Incorporated Organisation": "cio",
}
COOPERATIVE_STRUCTURES = {"OS60", "OS70", "OS80", "OS90", "OS100", "OS110", "OS115"}


def decode(uri: str) -> tuple[str, str] | None:
    """An essglobal URI as (code, label), e.g. ("OS130", "Community Benefit Society / ...")."""
    if not uri.startswith(ESSGLOBAL):
        return None
    scheme, _, code = uri[len(ESSGLOBAL) :].strip("/").partition("/")
    label = ESSGLOBAL_TERMS.get(scheme, {}).get(code)
    return (code, label) if label else None


@dataclass
class CoopsReport:
    created: int = 0
    updated: int = 0
    guessed: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    rows: int = 0

    def lines(self) -> list[str]:
        out = [
            f"Read {self.rows} rows: {self.created} imported, {self.updated} updated, "
            f"{sum(self.skipped.values())} skipped."
        ]
        out += [f"  guessed: {what}: {n}" for what, n in self.guessed.most_common()]
        out += [f"  skipped: {why}: {n}" for why, n in self.skipped.most_common()]
        return out


def _sector(row: dict[str, str], guesses: list[str]) -> tuple[str, list[str]]:
    """The main sector and, when the SIC code names another one, that as a second sector."""
    by_sic = SIC_DIVISIONS.get((row.get("SIC Code") or "").strip()[:2])
    mapped = SECTOR_MAP.get((row.get("Sector") or "").strip())
    if mapped:
        return mapped, [by_sic] if by_sic and by_sic != mapped else []
    if by_sic:
        guesses.append("sector from the SIC code")
        return by_sic, []
    activity = decode(row.get("Primary Activity") or "")
    if activity and activity[0] in ACTIVITY_SECTORS:
        guesses.append("sector from the primary activity")
        return ACTIVITY_SECTORS[activity[0]], []
    return "other", []


def _legal_form(row: dict[str, str], guesses: list[str]) -> str | None:
    form = (row.get("Legal Form") or "").strip()
    structure = decode(row.get("Organisational Structure") or "")
    if form == "Society":
        # A registered society is a co-operative society or a community benefit society.
        if structure and structure[0] == "OS130":
            return "cbs"
        if structure and structure[0] in COOPERATIVE_STRUCTURES:
            return "coop"
        guesses.append("society taken as a co-operative society")
        return "coop"
    if form in LEGAL_FORMS:
        return LEGAL_FORMS[form]
    if structure and structure[0] == "OS120":
        guesses.append("legal form from the organisational structure")
        return "cic"
    return None


def _place(row: dict[str, str], guesses: list[str]) -> places.Place | str:
    """The postcode's place; else its district; else the dataset's centroid. A str: why not."""
    postcode = (row.get("Postcode") or "").strip()
    normal = places.normalise_postcode(postcode) if postcode else None
    if normal is None:
        return "no postcode" if not postcode else "postcode is not a UK postcode"
    town = " ".join((row.get("Locality") or "").split())
    for query in (normal, normal.split()[0]):
        try:
            place = places.resolve_place(query, None)
        except places.LocationError:
            continue
        if query != normal:
            guesses.append("location from the postcode district")
        # replace() keeps the public (district) point resolve_place worked out.
        return dataclasses.replace(place, town=town or place.town)
    try:
        lat = float(row.get("Geo Container Latitude") or "")
        lon = float(row.get("Geo Container Longitude") or "")
    except ValueError:
        area = AREAS_OUTSIDE_ENGLAND.get(normal[:2].rstrip("0123456789"))
        return f"outside England ({area})" if area else "postcode not found"
    guesses.append("location from the dataset's coordinates")
    outcode = normal.split()[0]
    # Public distances and map points never show more than the postcode district.
    public = district_point(outcode) or (lat, lon)
    return places.Place(
        postcode=normal,
        outcode=outcode,
        town=town or places.nearest_town(lat, lon),
        latitude=lat,
        longitude=lon,
        region=places.region_for(lat, lon),
        public_latitude=public[0],
        public_longitude=public[1],
    )


def _website(text: str) -> str:
    text = text.strip()
    if not text or " " in text or "." not in text:
        return ""
    return text if text.lower().startswith(("http://", "https://")) else f"https://{text}"


def _unique_name(name: str, town: str, identifier: str, taken: dict[str, str | None]) -> str:
    """Two organisations may share a name, but the directory tells businesses apart by their
    normalised name (a claimed profile's edit form, CSV updates). Add the town, then the id."""
    for candidate in (name, f"{name} ({town})" if town else "", f"{name} ({identifier})"):
        if not candidate:
            continue
        owner = taken.get(business_service.normalised_name(candidate))
        if owner is None or owner == identifier:
            return candidate
    return f"{name} ({identifier})"


def import_coops_uk(stream: IO[str], all_nations: bool = False) -> CoopsReport:
    """Import every usable row in one transaction; each other row is skipped with a reason."""
    report = CoopsReport()
    existing = {
        b.source_id: b
        for b in db.session.execute(
            select(Business)
            .where(Business.source == SOURCE)
            .options(selectinload(Business.topic_rows), selectinload(Business.other_sector_rows))
        ).scalars()
    }
    taken: dict[str, str | None] = {
        name_key: f"other:{source}:{source_id}"
        for name_key, source, source_id in db.session.execute(
            select(Business.name_key, Business.source, Business.source_id)
        )
    }
    taken.update({b.name_key: identifier for identifier, b in existing.items()})
    slugs = set(db.session.execute(select(Business.slug)).scalars())
    seen: set[str] = set()
    try:
        for row in csv.DictReader(stream):
            report.rows += 1
            identifier = (row.get("Identifier") or "").strip()
            name = " ".join((row.get("Name") or "").split())
            if not identifier or not name:
                report.skipped["no identifier or name"] += 1
                continue
            if identifier in seen:
                report.skipped["identifier repeated in the file"] += 1
                continue
            seen.add(identifier)
            guesses: list[str] = []
            place = _place(row, guesses)
            if isinstance(place, str):
                if all_nations and place.startswith("outside England"):
                    place = "not placed offline" + place[len("outside England") :]
                report.skipped[place] += 1
                continue
            if place.region in OUTSIDE_ENGLAND and not all_nations:
                report.skipped[f"outside England ({OUTSIDE_ENGLAND[place.region]})"] += 1
                continue
            business = existing.get(identifier)
            if business is not None and business.owner_id is not None:
                report.skipped["claimed: its owner keeps it up to date"] += 1
                continue
            sector, other_sectors = _sector(row, guesses)
            data = business_service.BusinessData(
                name=_unique_name(name[:150], place.town, identifier, taken),
                sector=sector,
                other_sectors=other_sectors,
                legal_form=_legal_form(row, guesses),
                stage=business.stage if business else None,
                place=place,
                description=(row.get("Description") or "").strip()[:4000],
                needs=business.needs if business else [],
                offers=business.offers if business else [],
                willing_to_mentor=business.willing_to_mentor if business else False,
                website=_website(row.get("Website") or "")[:300],
                email=(row.get("Email") or "").strip().lower()[:254]
                or (business.email if business else ""),
                phone=(row.get("Phone") or "").strip()[:40] or (business.phone if business else ""),
                networks=None,
            )
            if business is None:
                business = Business(source=SOURCE, source_id=identifier)
                db.session.add(business)
                report.created += 1
            else:
                report.updated += 1
            # The slug set saves a query per row (and the autoflush of a row with no slug yet).
            business_service.apply_business(business, data, taken_slugs=slugs)
            taken[business.name_key] = identifier
            report.guessed.update(guesses)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    business_service.directory_changed()
    return report
