"""Request bodies of the directory write API: unknown fields are rejected, text is normalised."""

import uuid
from datetime import date, time
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    model_validator,
)

from app.core.errors import Rule
from app.core.schemas import Body, NotNull, SaneDate
from app.directory.fields import Latitude, LegalStatus, Longitude, PhoneNumber
from search.text import clean_text

Text = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=5000)]
ShortText = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=300)]
Code = Annotated[str, Field(pattern=r"^[a-z_]{2,40}$")]
Place = Annotated[str, AfterValidator(clean_text), Field(min_length=2, max_length=100)]
Status = Literal["active", "inactive", "defunct", "temporarily closed"]


class Write(Body):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


AGES_OUT_OF_ORDER = Rule(
    "minimum_age is above maximum_age", "সর্বনিম্ন বয়স সর্বোচ্চ বয়সের বেশি", field="maximum_age"
)
ENDS_BEFORE_START = Rule("is before valid_from", "শুরুর তারিখের আগে", field="valid_to")


def ordered(low: object, high: object, broken: Rule) -> None:
    """`broken` unless `low` comes no later than `high` (either may be unknown)."""
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise broken


class Ages(Write):
    """A service's age limits, in order."""

    minimum_age: int | None = Field(default=None, ge=0, le=120)
    maximum_age: int | None = Field(default=None, ge=0, le=120)

    @model_validator(mode="after")
    def ages_in_order(self) -> "Ages":
        ordered(self.minimum_age, self.maximum_age, AGES_OUT_OF_ORDER)
        return self


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
    name: Annotated[ShortText | None, NotNull] = None
    name_bn: ShortText | None = None
    alternate_name: ShortText | None = None
    description: Annotated[Text | None, NotNull] = None
    description_bn: Text | None = None
    email: EmailStr | None = None
    website: HttpUrl | None = None
    legal_status: LegalStatus | None = None
    district: Place | None = None
    active: Annotated[StrictBool | None, NotNull] = None
    # the pattern the organization's case references must follow (matched whole, a PostgreSQL
    # regular expression); null: the default rule (at least one digit)
    case_ref_pattern: (
        Annotated[str, Field(min_length=1, max_length=200, examples=[r"RJ-\d{4}-\d{4}"])] | None
    ) = None


class ServiceFields(Ages):
    """What a service's creation and its update share, field for field."""

    name_bn: ShortText | None = None
    alternate_name: ShortText | None = None
    description: Text | None = None
    description_bn: Text | None = None
    url: HttpUrl | None = None
    email: EmailStr | None = None
    application_process: Text | None = None
    fees_description: Text | None = None
    eligibility_description: Text | None = None
    eligibility_description_bn: Text | None = None
    alert: Text | None = None
    alert_bn: Text | None = None
    free_of_cost: StrictBool | None = None


class ServiceCreate(ServiceFields):
    organization_id: uuid.UUID
    name: ShortText
    status: Status = "active"
    categories: list[Code] = Field(min_length=1, max_length=15)
    location_ids: list[uuid.UUID] = Field(default=[], max_length=50)
    service_area: list[Place] = Field(default=[], max_length=50)


# the fields of `ServiceCreate` but its organization; those a service cannot be without may be
# left out, not set to null
class ServiceUpdate(ServiceFields):
    name: Annotated[ShortText | None, NotNull] = None
    status: Annotated[Status | None, NotNull] = None
    categories: Annotated[list[Code] | None, NotNull, Field(min_length=1, max_length=15)] = None
    location_ids: Annotated[list[uuid.UUID] | None, NotNull, Field(max_length=50)] = None
    service_area: Annotated[list[Place] | None, NotNull, Field(max_length=50)] = None


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
    latitude: Latitude = Field(description="Within Bangladesh.")
    longitude: Longitude = Field(description="Within Bangladesh.")
    coordinates_approximate: StrictBool = False
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
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    coordinates_approximate: Annotated[StrictBool | None, NotNull] = None
    confidential: Annotated[
        StrictBool | None,
        NotNull,
        Field(description="A shelter or safe home: only partners see its address and point."),
    ] = None

    @model_validator(mode="after")
    def both_or_neither(self) -> "LocationUpdate":
        if (self.latitude is None) != (self.longitude is None):
            raise Rule(
                "give latitude and longitude together",
                "অক্ষাংশ ও দ্রাঘিমা একসাথে দিন",
                field="longitude" if self.longitude is None else "latitude",
            )
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
            raise Rule(
                "give exactly one of service_id, organization_id, location_id",
                "service_id, organization_id, location_id এর ঠিক একটি দিন",
            )
        return self


class PhoneUpdate(Write):
    number: Annotated[PhoneNumber | None, NotNull] = None
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
    valid_from: SaneDate | None = None
    valid_to: SaneDate | None = None
    description: ShortText | None = None
    description_bn: ShortText | None = None
    notes: ShortText | None = None


class ScheduleCreate(ScheduleUpdate):
    service_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def one_owner(self) -> "ScheduleCreate":
        if (self.service_id is None) == (self.location_id is None):
            raise Rule(
                "give exactly one of service_id, location_id",
                "service_id, location_id এর ঠিক একটি দিন",
            )
        return self

    @model_validator(mode="after")
    def in_order(self) -> "ScheduleCreate":
        check_schedule(self.opens_at, self.closes_at, self.valid_from, self.valid_to)
        return self


def check_schedule(
    opens_at: time | None, closes_at: time | None, valid_from: date | None, valid_to: date | None
) -> None:
    """`Rule` unless a schedule opens before it closes and starts before it ends."""
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise Rule("must be after opens_at", "খোলার সময়ের পরে হতে হবে", field="closes_at")
    ordered(valid_from, valid_to, ENDS_BEFORE_START)


CorrectableType = Literal["organization", "service", "location", "phone"]

# The fields a correction may propose, per kind of record (all plain text or numbers).
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "organization": (
        "name",
        "name_bn",
        "alternate_name",
        "description",
        "description_bn",
        "email",
        "website",
    ),
    "service": (
        "name",
        "name_bn",
        "description",
        "description_bn",
        "url",
        "email",
        "fees_description",
        "eligibility_description",
        "application_process",
    ),
    "location": ("name", "name_bn", "description", "description_bn", "transportation"),
    "phone": ("number", "description", "description_bn"),
}


class CorrectionCreate(Write):
    """A suggested correction: which field of which public entry, and what it should say."""

    resource_type: CorrectableType
    resource_id: uuid.UUID
    field: Annotated[
        str,
        Field(
            pattern=r"^[a-z_0-9]{1,40}$",
            description="The field to change; by resource_type: "
            + "; ".join(f"{kind}: {', '.join(fields)}" for kind, fields in CORRECTABLE.items()),
        ),
    ]
    proposed_value: Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=1000)]
    comment: Annotated[str, AfterValidator(clean_text), Field(max_length=1000)] | None = None


class CorrectionDecision(Write):
    note: Annotated[str, AfterValidator(clean_text), Field(max_length=1000)] | None = None
