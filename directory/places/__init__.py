"""Places: the offline geocoder and the rules that turn a postcode or a town into a location."""

from directory.places.offline import (
    EARTH_RADIUS_KM,
    FallbackGeocoder,
    OfflineGeocoder,
    distance_km,
    haversine_km,
    nearest_town,
    normalise_postcode,
    region_for,
    sample_postcodes,
)
from directory.places.resolve import (
    LocationError,
    Origin,
    Place,
    geocoder,
    resolve_origin,
    resolve_place,
    resolve_place_text,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "FallbackGeocoder",
    "LocationError",
    "OfflineGeocoder",
    "Origin",
    "Place",
    "distance_km",
    "geocoder",
    "haversine_km",
    "nearest_town",
    "normalise_postcode",
    "region_for",
    "resolve_place",
    "resolve_origin",
    "resolve_place_text",
    "sample_postcodes",
]
