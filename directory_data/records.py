"""Schemas of the seed files; unknown keys are errors, text is normalised on the way in."""

import re
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from app.directory.fields import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    PHONE_PATTERN,
    Latitude,
    LegalStatus,
    Longitude,
)
from directory_data import DATA_DIR
from search.text import clean_text


def _taxonomy_codes() -> frozenset[str]:
    """The category codes of `taxonomy.yaml`, the one list of them."""
    raw = yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text(encoding="utf-8"))
    return frozenset(term["code"] for term in raw["terms"])


CATEGORY_CODES = _taxonomy_codes()

Text = Annotated[str, AfterValidator(clean_text), Field(min_length=1)]
Key = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Pcode = Annotated[str, Field(pattern=r"^BD[0-9]{0,8}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Strict):
    """Where a fact was read: a seed report and a verbatim quote."""

    document: Text
    quote: Text = Field(max_length=400)


class PhoneRecord(Strict):
    number: Text
    description: Text | None = None
    source: Text

    @model_validator(mode="after")
    def looks_like_a_number(self) -> "PhoneRecord":
        if not re.match(PHONE_PATTERN, self.number):
            raise ValueError(f"phone number {self.number!r} is not a number")
        return self


class LocationRecord(Strict):
    key: Key
    name: Text
    name_bn: Text | None = None
    address: Text | None = None
    district: Pcode
    upazila: Pcode | None = None
    union: Pcode | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    # a shelter or safe home: public reads and search never show where it is
    confidential: StrictBool = False

    @model_validator(mode="after")
    def both_or_neither(self) -> "LocationRecord":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self


class ServiceRecord(Strict):
    key: Key
    name: Text
    name_bn: Text
    description: Text
    description_bn: Text
    categories: list[str] = Field(min_length=1)
    locations: list[Key] = []
    service_area: list[Pcode] = []
    free_of_cost: bool | None = None
    fees_description: Text | None = None
    eligibility_description: Text | None = None
    sources: list[SourceRef] = []

    @model_validator(mode="after")
    def known_categories(self) -> "ServiceRecord":
        unknown = sorted(set(self.categories) - CATEGORY_CODES)
        if unknown:
            raise ValueError(f"unknown categories {unknown}")
        if not self.locations and not self.service_area:
            raise ValueError("a service needs a location or a service_area")
        return self


class ProviderRecord(Strict):
    """One provider organization with its locations and services (one YAML file)."""

    key: Key
    name: Text
    name_bn: Text
    alternate_name: Text | None = None
    description: Text
    description_bn: Text
    legal_status: LegalStatus
    district: Pcode | None
    website: Text | None = None
    email: Text | None = None
    sources: list[SourceRef] = Field(min_length=1)
    phones: list[PhoneRecord] = []
    locations: list[LocationRecord] = []
    services: list[ServiceRecord] = Field(min_length=1)

    @model_validator(mode="after")
    def keys_resolve(self) -> "ProviderRecord":
        """Keys (and phone numbers, which give phones their ids) are unique within the file,
        and services name locations of the file; errors say which records, by index."""
        problems = [
            *_repeats("locations", [location.key for location in self.locations]),
            *_repeats("services", [service.key for service in self.services]),
            *_repeats("phones", [phone.number for phone in self.phones]),
        ]
        location_keys = {location.key for location in self.locations}
        for index, service in enumerate(self.services):
            missing = set(service.locations) - location_keys
            if missing:
                problems.append(
                    f"services[{index}] ({service.key}) names unknown locations {sorted(missing)}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _repeats(kind: str, keys: list[str]) -> list[str]:
    """`kind[i] (key) repeats kind[j]` for every key seen before."""
    first: dict[str, int] = {}
    problems = []
    for index, key in enumerate(keys):
        if key in first:
            problems.append(f"{kind}[{index}] ({key}) repeats {kind}[{first[key]}]")
        first.setdefault(key, index)
    return problems


NonBlank = Annotated[str, Field(pattern=r"\S")]


class HelplineRow(Strict):
    """One row of the helplines CSV (text as written: the loader normalises it)."""

    number: Annotated[str, Field(pattern=r"^[0-9]{3,6}$")]
    name_en: NonBlank
    name_bn: NonBlank
    operator: NonBlank
    scope: NonBlank
    hours: NonBlank
    cost: NonBlank
    alternate_numbers: str
    sources: NonBlank
    notes: str


def _coordinate(low: float, high: float) -> AfterValidator:
    def check(value: str) -> str:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if not low <= number <= high:
            raise ValueError(f"{value} is outside Bangladesh ({low} to {high})")
        return value

    return AfterValidator(check)


class OsmHealthRow(Strict):
    """One row of the OSM health facilities CSV (coordinates kept as written: they are part of
    the record's stable key)."""

    name: NonBlank
    kind: Literal["hospital", "clinic"]
    latitude: Annotated[str, _coordinate(*LATITUDE_RANGE)]
    longitude: Annotated[str, _coordinate(*LONGITUDE_RANGE)]
    district: NonBlank
    upazila: NonBlank
    upazila_pcode: Annotated[str, Field(pattern=r"^BD[0-9]{8}$")]
    operator: str
    beds: str
    emergency: str
    speciality: str


class HelplineExtra(Strict):
    """Categories and Bangla text for one helpline of the helplines CSV."""

    categories: list[str] = Field(min_length=1)
    operator_bn: Text
    scope_bn: Text
    alert: Text | None = None
    alert_bn: Text | None = None


class TaxonomyTermRecord(Strict):
    code: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    name: Text
    name_bn: Text
    description: Text
    description_bn: Text
    keywords: list[Text] = []


class TaxonomyInfo(Strict):
    key: Key
    name: Text
    name_bn: Text
    description: Text
    description_bn: Text
    version: Text


class TaxonomyRecord(Strict):
    taxonomy: TaxonomyInfo
    terms: list[TaxonomyTermRecord]

    @model_validator(mode="after")
    def codes_unique(self) -> "TaxonomyRecord":
        """A term's code gives it its id."""
        problems = _repeats("terms", [term.code for term in self.terms])
        if problems:
            raise ValueError("; ".join(problems))
        return self


class VariantRecord(Strict):
    pcode: Pcode
    names: list[Text]
    name_bn: Text | None = None
