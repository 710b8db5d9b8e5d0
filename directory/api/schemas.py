"""The API's shapes as pydantic models: they check what comes in, shape what goes out, and
give the OpenAPI document its JSON Schemas (2020-12, the dialect of OpenAPI 3.1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr


class BusinessOut(BaseModel):
    """The public fields of a listed business: no contact details, district-level place."""

    id: int
    slug: str
    name: str
    description: str
    sector: str
    other_sectors: list[str]
    legal_form: str | None
    stage: str | None
    founded_year: int | None
    town: str
    district: str | None = Field(description="Postcode district (outward code), e.g. EX20.")
    region: str
    latitude: float = Field(description="Rounded to 2 decimals (about 1 km).")
    longitude: float = Field(description="Rounded to 2 decimals (about 1 km).")
    needs: list[str]
    offers: list[str]
    willing_to_mentor: bool
    website: str
    networks: list[str] = Field(description="Slugs of the peer networks it belongs to.")
    url: str = Field(description="The public profile page.")
    distance_km: float | None = Field(
        default=None, description="Only when `near` is given: great-circle distance in km."
    )


class BusinessPage(BaseModel):
    items: list[BusinessOut]
    total: int
    page: int
    per_page: int


class Match(BaseModel):
    business: BusinessOut
    score: float = Field(ge=0, le=1)
    distance_km: float
    reasons: list[str]


class MatchList(BaseModel):
    kind: Literal["peer", "mentor"]
    items: list[Match]


class NetworkOut(BaseModel):
    slug: str
    name: str
    description: str
    businesses: int = Field(description="How many listed businesses belong to it.")


class NetworkList(BaseModel):
    items: list[NetworkOut]


class Term(BaseModel):
    slug: str
    label: str


class Vocabularies(BaseModel):
    sectors: list[Term]
    stages: list[Term]
    topics: list[Term]
    legal_forms: list[Term]
    regions: list[Term]


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class Error(BaseModel):
    error: ErrorBody


class BusinessPatch(BaseModel):
    """Fields a coordinator may send; a PATCH changes only the fields it names.

    Values are checked here for type only; the rules (vocabularies, places, unique names) are
    the profile form's, applied after.
    """

    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(default=None, max_length=160)
    description: StrictStr | None = Field(default=None, max_length=4000)
    sector: StrictStr | None = None
    other_sectors: list[StrictStr] | None = None
    legal_form: StrictStr | None = None
    stage: StrictStr | None = None
    founded_year: StrictInt | None = None
    postcode: StrictStr | None = Field(default=None, max_length=10)
    town: StrictStr | None = Field(default=None, max_length=120)
    needs: list[StrictStr] | None = None
    offers: list[StrictStr] | None = None
    willing_to_mentor: StrictBool | None = None
    mentor_capacity: StrictInt | None = None
    accepting_requests: StrictBool | None = None
    website: StrictStr | None = Field(default=None, max_length=300)
    email: StrictStr | None = Field(default=None, max_length=254)
    phone: StrictStr | None = Field(default=None, max_length=40)
    networks: list[StrictStr] | None = None


class BusinessCreate(BusinessPatch):
    """A new business: name, sector, stage and a postcode or town are required."""

    name: StrictStr = Field(max_length=160)
    sector: StrictStr
    stage: StrictStr
