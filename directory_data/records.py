"""Schemas of the seed files; unknown keys are errors, text is normalised on the way in."""

import re
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

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
LegalStatus = Literal[
    "ngo", "government", "private", "police", "local_government", "international", "community"
]


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
        if not re.fullmatch(r"[+0-9০-৯][0-9০-৯ ()\-]{1,24}", self.number):
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
    latitude: float | None = Field(default=None, ge=20.3, le=26.7)
    longitude: float | None = Field(default=None, ge=88.0, le=92.7)
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
    verified_on: None = None
    sources: list[SourceRef] = Field(min_length=1)
    phones: list[PhoneRecord] = []
    locations: list[LocationRecord] = []
    services: list[ServiceRecord] = Field(min_length=1)

    @model_validator(mode="after")
    def keys_resolve(self) -> "ProviderRecord":
        location_keys = [location.key for location in self.locations]
        if len(set(location_keys)) != len(location_keys):
            raise ValueError("location keys repeat")
        service_keys = [service.key for service in self.services]
        if len(set(service_keys)) != len(service_keys):
            raise ValueError("service keys repeat")
        for service in self.services:
            missing = set(service.locations) - set(location_keys)
            if missing:
                raise ValueError(
                    f"service {service.key!r} names unknown locations {sorted(missing)}"
                )
        return self


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


class VariantRecord(Strict):
    pcode: Pcode
    names: list[Text]
    name_bn: Text | None = None
