"""Response schemas of the public read API: HSDS 3.0 objects plus Bangla and geo extensions.

Fields that are unknown are left out of responses (not `null`), as HSDS validators expect.
"""

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ServiceMinimal(BaseModel):
    """HSDS `minimal=true`: what a harvester needs to tell which services changed (with
    `modified_after`), before it reads them one by one."""

    id: uuid.UUID
    modified_date: datetime


class AssuredBy(BaseModel):
    """The organization that vouches for an entry: that of the user who verified it (whose
    email is never public)."""

    id: uuid.UUID
    name: str
    name_bn: str | None = None


class ProvenanceRead(Read):
    data_source: str | None = None
    source_note: str | None = None
    licence: str | None = None
    assured_date: date | None = None
    # extension
    assured_by: AssuredBy | None = None


class TaxonomyRead(Read):
    id: uuid.UUID
    name: str
    name_bn: str
    description: str
    description_bn: str
    uri: str | None = None
    version: str | None = None


class TaxonomyTermRead(Read):
    id: uuid.UUID
    code: str
    name: str
    name_bn: str
    description: str
    description_bn: str
    parent_id: uuid.UUID | None = None
    # the taxonomy's name (HSDS); read from `taxonomy_name` so that the ORM relationship is not
    # touched
    taxonomy: str | None = Field(default=None, validation_alias="taxonomy_name")
    taxonomy_id: uuid.UUID
    language: str | None = None
    term_uri: str | None = None


class AttributeRead(Read):
    id: uuid.UUID
    link_id: uuid.UUID
    taxonomy_term_id: uuid.UUID
    link_type: str | None = None
    link_entity: str
    value: str | None = None
    taxonomy_term: TaxonomyTermRead


class PhoneRead(Read):
    id: uuid.UUID
    location_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    number: str
    extension: str | None = None
    type: str | None = None
    description: str | None = None
    description_bn: str | None = None


class ScheduleRead(Read):
    id: uuid.UUID
    service_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    freq: str | None = None
    byday: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    description: str | None = None
    description_bn: str | None = None
    notes: str | None = None


class CostOptionRead(Read):
    id: uuid.UUID
    service_id: uuid.UUID
    option: str | None = None
    currency: str | None = None
    amount: Decimal | None = None
    amount_description: str | None = None

    @field_serializer("amount")
    def amount_as_number(self, value: Decimal | None) -> float | None:
        return None if value is None else float(value)


class ServiceAreaRead(Read):
    id: uuid.UUID
    service_id: uuid.UUID
    name: str | None = None
    name_bn: str | None = None
    description: str | None = None
    extent_type: str | None = None
    admin_pcode: str | None = None


class LanguageRead(Read):
    id: uuid.UUID
    name: str | None = None
    code: str | None = None
    note: str | None = None


class ContactRead(Read):
    id: uuid.UUID
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None


class AddressRead(Read):
    id: uuid.UUID
    location_id: uuid.UUID
    attention: str | None = None
    address_1: str
    address_2: str | None = None
    city: str
    region: str | None = None
    state_province: str
    # HSDS requires the field; an unknown postcode is "" rather than an invented one
    postal_code: str = ""
    country: str
    address_type: str

    @field_validator("postal_code", mode="before")
    @classmethod
    def unknown_postcode(cls, value: str | None) -> str:
        return value or ""


class LocationRead(ProvenanceRead):
    id: uuid.UUID
    location_type: str
    organization_id: uuid.UUID | None = None
    name: str | None = None
    name_bn: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    description_bn: str | None = None
    transportation: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # left out where a confidential location is redacted
    coordinates_approximate: bool | None = None
    coordinates_source: str | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    division_pcode: str | None = None
    district_pcode: str | None = None
    upazila_pcode: str | None = None
    union_pcode: str | None = None
    addresses: list[AddressRead] = []
    phones: list[PhoneRead] = []
    distance_km: float | None = None
    # extensions: a confidential location (a shelter, a safe home) shows where it is only to
    # partners; everyone else gets its name, phones, division, district and upazila and this note
    confidential: bool = False
    confidential_note: str | None = None
    confidential_note_bn: str | None = None


class OrganizationBrief(ProvenanceRead):
    id: uuid.UUID
    name: str
    name_bn: str | None = None
    alternate_name: str | None = None
    description: str
    description_bn: str | None = None
    email: str | None = None
    website: str | None = None
    legal_status: str | None = None
    district_pcode: str | None = None
    parent_organization_id: uuid.UUID | None = None


class CategoryRead(BaseModel):
    code: str
    name: str
    name_bn: str


class ServiceBase(ProvenanceRead):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    name_bn: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    description_bn: str | None = None
    url: str | None = None
    email: str | None = None
    status: str
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    eligibility_description: str | None = None
    eligibility_description_bn: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    alert: str | None = None
    alert_bn: str | None = None
    last_modified: datetime | None = None

    @field_serializer("last_modified")
    def utc_timestamp(self, value: datetime | None) -> str | None:
        """UTC with microseconds, as the search documents store it."""
        return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    # extensions
    categories: list[CategoryRead] = []
    free_of_cost: bool | None = None
    distance_km: float | None = None


class ServiceListItem(ServiceBase):
    """HSDS `service_list` item with its organization; `/services` lists leave out `source_note`,
    which full services carry."""

    organization: OrganizationBrief


class ServiceAtLocationNested(Read):
    id: uuid.UUID
    service_id: uuid.UUID
    location_id: uuid.UUID
    description: str | None = None
    location: LocationRead


class ServiceFull(ServiceListItem):
    """HSDS full `service` with its locations, phones, schedules and categories."""

    phones: list[PhoneRead] = []
    schedules: list[ScheduleRead] = []
    service_areas: list[ServiceAreaRead] = []
    service_at_locations: list[ServiceAtLocationNested] = []
    languages: list[LanguageRead] = []
    cost_options: list[CostOptionRead] = []
    contacts: list[ContactRead] = []
    attributes: list[AttributeRead] = []


class OrganizationRead(OrganizationBrief):
    """HSDS organization with its phones, locations and (brief) services."""

    phones: list[PhoneRead] = []
    locations: list[LocationRead] = []
    services: list[ServiceBase] = []


class ServiceAtLocationRead(Read):
    """HSDS `service_at_location` with its service (brief) and location."""

    id: uuid.UUID
    service_id: uuid.UUID
    location_id: uuid.UUID
    description: str | None = None
    service: ServiceBase
    location: LocationRead
    distance_km: float | None = None


class ApiRoot(BaseModel):
    version: str = "3.0"
    profile: str
    openapi_url: str
    name: str
    name_bn: str
    description: str
    description_bn: str
    attribution: list[str] = Field(default_factory=list)
    attribution_bn: list[str] = Field(default_factory=list)
    extensions: dict[str, Any] = Field(default_factory=dict)


class RecordChangeRead(BaseModel):
    """One changed field (HSDS `metadata`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: uuid.UUID
    resource_type: str
    last_action_date: datetime
    last_action_type: str
    field_name: str
    previous_value: str | None
    replacement_value: str | None
    updated_by: str


class CorrectionReceipt(BaseModel):
    """What the person who suggested a correction gets back."""

    id: uuid.UUID
    status: str
    message: str
    message_bn: str


class CorrectionRead(BaseModel):
    """A correction as moderators see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    resource_type: str
    resource_id: uuid.UUID
    field: str
    current_value: str | None
    proposed_value: str
    comment: str | None
    district_pcode: str | None
    organization_id: uuid.UUID
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str | None
