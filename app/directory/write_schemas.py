"""Request bodies of the directory write API: unknown fields are rejected, text is normalised."""

import uuid
from datetime import date, time
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    model_validator,
)

from search.text import clean_text

Text = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=5000)]
ShortText = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=300)]
Code = Annotated[str, Field(pattern=r"^[a-z_]{2,40}$")]
Place = Annotated[str, AfterValidator(clean_text), Field(min_length=2, max_length=100)]
PhoneNumber = Annotated[str, Field(pattern=r"^\+?[0-9০-৯][0-9০-৯ ()\-]{1,24}$")]
Status = Literal["active", "inactive", "defunct", "temporarily closed"]
LegalStatus = Literal[
    "ngo", "government", "private", "police", "local_government", "international", "community"
]


class Write(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganizationCreate(Write):
    name: ShortText
    name_bn: ShortText | None = None
    alternate_name: ShortText | None = None
    description: Text
    description_bn: Text | None = None
    email: EmailStr | None = None
    website: HttpUrl | None = None
    legal_status: LegalStatus | None = None
    # pcode or any known name; null only for national bodies, which only admins maintain
    district: Place | None
    parent_organization_id: uuid.UUID | None = None


class OrganizationUpdate(Write):
    name: ShortText | None = None
    name_bn: ShortText | None = None
    alternate_name: ShortText | None = None
    description: Text | None = None
    description_bn: Text | None = None
    email: EmailStr | None = None
    website: HttpUrl | None = None
    legal_status: LegalStatus | None = None
    district: Place | None = None
    active: bool | None = None


class ServiceCreate(Write):
    organization_id: uuid.UUID
    name: ShortText
    name_bn: ShortText | None = None
    alternate_name: ShortText | None = None
    description: Text | None = None
    description_bn: Text | None = None
    url: HttpUrl | None = None
    email: EmailStr | None = None
    status: Status = "active"
    application_process: Text | None = None
    fees_description: Text | None = None
    eligibility_description: Text | None = None
    eligibility_description_bn: Text | None = None
    minimum_age: int | None = Field(default=None, ge=0, le=120)
    maximum_age: int | None = Field(default=None, ge=0, le=120)
    alert: Text | None = None
    alert_bn: Text | None = None
    categories: list[Code] = Field(min_length=1, max_length=15)
    free_of_cost: bool | None = None
    location_ids: list[uuid.UUID] = Field(default=[], max_length=50)
    service_area: list[Place] = Field(default=[], max_length=50)


class ServiceUpdate(Write):
    name: ShortText | None = None
    name_bn: ShortText | None = None
    alternate_name: ShortText | None = None
    description: Text | None = None
    description_bn: Text | None = None
    url: HttpUrl | None = None
    email: EmailStr | None = None
    status: Status | None = None
    application_process: Text | None = None
    fees_description: Text | None = None
    eligibility_description: Text | None = None
    eligibility_description_bn: Text | None = None
    minimum_age: int | None = Field(default=None, ge=0, le=120)
    maximum_age: int | None = Field(default=None, ge=0, le=120)
    alert: Text | None = None
    alert_bn: Text | None = None
    categories: list[Code] | None = Field(default=None, min_length=1, max_length=15)
    free_of_cost: bool | None = None
    location_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    service_area: list[Place] | None = Field(default=None, max_length=50)


class AddressWrite(Write):
    address_1: ShortText
    address_2: ShortText | None = None
    city: ShortText
    state_province: ShortText
    postal_code: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None


class LocationCreate(Write):
    organization_id: uuid.UUID
    name: ShortText
    name_bn: ShortText | None = None
    description: Text | None = None
    description_bn: Text | None = None
    transportation: Text | None = None
    latitude: float = Field(ge=20.3, le=26.7, description="Within Bangladesh.")
    longitude: float = Field(ge=88.0, le=92.7, description="Within Bangladesh.")
    coordinates_approximate: bool = False
    confidential: StrictBool = Field(
        default=False,
        description="A shelter or safe home: only partners see its address and point.",
    )
    address: AddressWrite | None = None


class LocationUpdate(Write):
    name: ShortText | None = None
    name_bn: ShortText | None = None
    description: Text | None = None
    description_bn: Text | None = None
    transportation: Text | None = None
    latitude: float | None = Field(default=None, ge=20.3, le=26.7)
    longitude: float | None = Field(default=None, ge=88.0, le=92.7)
    coordinates_approximate: bool | None = None
    # never null: left out, it stays as it is
    confidential: StrictBool = Field(
        default=False,
        description="A shelter or safe home: only partners see its address and point.",
    )

    @model_validator(mode="after")
    def both_or_neither(self) -> "LocationUpdate":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give latitude and longitude together")
        return self


class PhoneCreate(Write):
    number: PhoneNumber
    extension: Annotated[str, Field(pattern=r"^[0-9]{1,6}$")] | None = None
    type: Literal["voice", "cell", "fax", "text", "video", "pager", "textphone"] | None = None
    description: ShortText | None = None
    description_bn: ShortText | None = None
    service_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def one_owner(self) -> "PhoneCreate":
        owners = [self.service_id, self.organization_id, self.location_id]
        if sum(owner is not None for owner in owners) != 1:
            raise ValueError("give exactly one of service_id, organization_id, location_id")
        return self


class PhoneUpdate(Write):
    number: PhoneNumber | None = None
    extension: Annotated[str, Field(pattern=r"^[0-9]{1,6}$")] | None = None
    type: Literal["voice", "cell", "fax", "text", "video", "pager", "textphone"] | None = None
    description: ShortText | None = None
    description_bn: ShortText | None = None


Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class ScheduleUpdate(Write):
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    byday: list[Weekday] | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    description: ShortText | None = None
    description_bn: ShortText | None = None
    notes: ShortText | None = None


class ScheduleCreate(ScheduleUpdate):
    service_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def one_owner(self) -> "ScheduleCreate":
        if (self.service_id is None) == (self.location_id is None):
            raise ValueError("give exactly one of service_id, location_id")
        return self


CorrectableType = Literal["organization", "service", "location", "phone"]


class CorrectionCreate(Write):
    """A suggested correction: which field of which public entry, and what it should say."""

    resource_type: CorrectableType
    resource_id: uuid.UUID
    field: Annotated[str, Field(pattern=r"^[a-z_0-9]{1,40}$")]
    proposed_value: Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=1000)]
    comment: Annotated[str, AfterValidator(clean_text), Field(max_length=1000)] | None = None


class CorrectionDecision(Write):
    note: Annotated[str, AfterValidator(clean_text), Field(max_length=1000)] | None = None
