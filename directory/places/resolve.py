"""Postcodes and towns typed by people, placed offline: the rules forms and imports share."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from directory.places import offline as geo


class LocationError(ValueError):
    """A postcode or town that cannot be placed; `field` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Place:
    postcode: str | None
    outcode: str | None
    town: str
    latitude: float
    longitude: float
    region: str
    # The public location: the centre of the postcode district (or the town itself). Public
    # distances and map points use it, so they reveal no more than the profile's "Town, LS6".
    public_latitude: float = 0.0
    public_longitude: float = 0.0


@dataclass(frozen=True)
class Origin:
    """Where a directory search measures from, and the other places the words may mean."""

    latitude: float
    longitude: float
    label: str
    choices: tuple[str, ...] = ()


def geocoder() -> geo.OfflineGeocoder:
    """One geocoder per app: its postcode tables are loaded once and shared."""
    ext = current_app.extensions
    if "peerlink_geocoder" not in ext:
        offline = geo.OfflineGeocoder()
        if current_app.config.get("GEOCODER_ONLINE_FALLBACK"):
            ext["peerlink_geocoder"] = geo.FallbackGeocoder(
                offline, user_agent=current_app.config["GEOCODER_USER_AGENT"]
            )
        else:
            ext["peerlink_geocoder"] = offline
    return ext["peerlink_geocoder"]


def resolve_place(postcode: str | None, town: str | None) -> Place:
    """Place a business from a postcode (full or district) and/or a town, offline."""
    postcode = (postcode or "").strip()
    town = " ".join((town or "").split())
    if postcode:
        normal = geo.normalise_postcode(postcode)
        if normal is None:
            raise LocationError("postcode", f"“{postcode}” is not a UK postcode.")
        found = geocoder().geocode(normal)
        if found is None:
            raise LocationError("postcode", f"We could not find the postcode {normal}.")
    elif town:
        found = geocoder().geocode(town)
        if found is None or found.raw.get("kind") != "town":
            raise LocationError("town", f"We could not find a town called “{town}”.")
    else:
        raise LocationError("postcode", "Give a postcode or a town.")
    raw = found.raw
    latitude, longitude = float(found.latitude), float(found.longitude)
    outcode = raw.get("outcode")
    public = geo.district_point(outcode) if outcode else None
    return Place(
        postcode=raw.get("postcode"),
        outcode=outcode,
        town=proper_town(town) if town else raw.get("town") or "",
        latitude=latitude,
        longitude=longitude,
        region=raw["region"],
        public_latitude=public[0] if public else latitude,
        public_longitude=public[1] if public else longitude,
    )


def proper_town(town: str) -> str:
    """A town as the gazetteer spells it, or in title case when it was typed in one case.

    Imports bring "leeds" and "BOVEY TRACEY"; people typed "Newcastle upon Tyne" on purpose.
    """
    if (known := geo.canonical_town(town)) is not None:
        return known
    if town.islower() or town.isupper():
        small = {"upon", "on", "under", "in", "by", "the", "and", "of", "le", "cum", "next"}
        words = town.lower().split(" ")
        return " ".join(
            w if i and w in small else "-".join(p[:1].upper() + p[1:] for p in w.split("-"))
            for i, w in enumerate(words)
        )
    return town


def resolve_origin(text: str) -> Origin:
    """Place the directory's "near" box: a postcode, a district or a town.

    A town name several places share ("Newport") gives the likeliest (in England, the most
    people) and the others as choices; an unknown place raises LocationError.
    """
    postcode = geo.normalise_postcode(text)
    if postcode is not None:
        place = resolve_place(text, None)
        return Origin(place.latitude, place.longitude, postcode)
    name = " ".join(text.split())
    labels = geo.town_choices(name)
    if not labels:
        raise LocationError(
            "near", f"We could not find a place called “{name}”. Try a postcode or a nearby town."
        )
    found = geocoder().geocode(labels[0])
    assert found is not None, "town_choices only offers towns the geocoder knows"
    return Origin(float(found.latitude), float(found.longitude), labels[0], tuple(labels[1:]))


def resolve_place_text(text: str) -> Place:
    """One box that takes a postcode or a town."""
    if geo.normalise_postcode(text) is not None:
        return resolve_place(text, None)
    return resolve_place(None, text)
