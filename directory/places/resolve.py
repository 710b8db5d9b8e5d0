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
    return Place(
        postcode=raw.get("postcode"),
        outcode=raw.get("outcode"),
        town=town or raw.get("town") or "",
        latitude=float(found.latitude),
        longitude=float(found.longitude),
        region=raw["region"],
    )


def resolve_place_text(text: str) -> Place:
    """One box that takes a postcode or a town."""
    if geo.normalise_postcode(text) is not None:
        return resolve_place(text, None)
    return resolve_place(None, text)
