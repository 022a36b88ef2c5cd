"""Bodies of the MoU and referral API. Extra fields are refused everywhere: a referral never
carries a name, phone number or address."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from search.text import clean_text

Text = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=2000)]
Short = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=200)]
MouStatus = Literal["draft", "active", "suspended", "expired", "terminated"]
ReferralStatus = Literal[
    "draft",
    "requested",
    "accepted",
    "rejected",
    "in_progress",
    "on_hold",
    "completed",
    "failed",
    "cancelled",
    "entered_in_error",
]
RejectionCode = Literal[
    "no_capacity",
    "not_eligible",
    "out_of_area",
    "service_not_offered",
    "survivor_unreachable",
    "other",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MouServiceWrite(Strict):
    category: Annotated[str, Field(pattern=r"^[a-z_]{2,40}$")]
    service_id: uuid.UUID | None = None
    free_of_cost: bool | None = None
    cost_terms: Text | None = None
    quota: int | None = Field(default=None, ge=1, le=100_000)
    quota_period: Literal["month", "quarter", "year"] | None = None
    response_sla_hours: int | None = Field(default=None, ge=1, le=24 * 365)

    @model_validator(mode="after")
    def quota_with_period(self) -> "MouServiceWrite":
        if (self.quota is None) != (self.quota_period is None):
            raise ValueError("give quota and quota_period together")
        return self


class MouCreate(Strict):
    reference: Short
    referring_organization_id: uuid.UUID
    provider_organization_id: uuid.UUID
    signed_on: date | None = None
    valid_from: date
    valid_to: date | None = None
    status: MouStatus = "draft"
    document_url: HttpUrl | None = None
    services: list[MouServiceWrite] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def coherent(self) -> "MouCreate":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.referring_organization_id == self.provider_organization_id:
            raise ValueError("an MoU joins two different organizations")
        return self


class MouUpdate(Strict):
    reference: Short | None = None
    signed_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    status: MouStatus | None = None
    document_url: HttpUrl | None = None
    services: list[MouServiceWrite] | None = Field(default=None, min_length=1, max_length=50)


class MouServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    category: str
    service_id: uuid.UUID | None
    free_of_cost: bool | None
    cost_terms: str | None
    quota: int | None
    quota_period: str | None
    response_sla_hours: int | None


class MouRead(BaseModel):
    id: uuid.UUID
    reference: str
    referring_organization_id: uuid.UUID
    provider_organization_id: uuid.UUID
    signed_on: date | None
    valid_from: date
    valid_to: date | None
    status: str
    document_url: str | None
    services: list[MouServiceRead]
    created_at: datetime
    updated_at: datetime


class Client(Strict):
    sex: Literal["female", "male", "other", "unknown"]
    age_band: Literal["0-11", "12-17", "18-24", "25-49", "50+", "unknown"]


class Consent(Strict):
    given: bool
    obtained_at: datetime
    scope: Short | None = None

    @field_validator("given")
    @classmethod
    def must_be_given(cls, given: bool) -> bool:
        if not given:
            raise ValueError("a referral needs the survivor's consent (given: true)")
        return given


class ReferralCreate(Strict):
    case_ref: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.\-]{0,39}$")]
    client: Client
    service_id: uuid.UUID
    reason: Text
    priority: Literal["routine", "urgent"] = "routine"
    consent: Consent
    notes: Text | None = None
    draft: bool = False
    previous_referral_id: uuid.UUID | None = None


class Outcome(Strict):
    services_delivered: Text
    completed_on: date
    free_of_cost_honoured: bool
    amount_charged: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)


class Transition(Strict):
    to: ReferralStatus
    reason_code: RejectionCode | Literal["expired_no_response"] | None = None
    note: Text | None = None
    outcome: Outcome | None = None


class Actor(BaseModel):
    user_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    role: str


class EventRead(BaseModel):
    id: int
    at: datetime
    from_: str | None = Field(serialization_alias="from")
    to: str
    reason_code: str | None
    note: str | None
    actor: Actor


class ReferralRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    status: str
    case_ref: str | None
    client: dict[str, str]
    service_id: uuid.UUID
    category: str | None
    referring_organization_id: uuid.UUID
    provider_organization_id: uuid.UUID
    mou_id: uuid.UUID | None
    outside_mou: bool
    mou_match: str
    reason: str | None
    priority: str
    consent: dict[str, object]
    notes: str | None
    requested_at: datetime | None
    due_by: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    previous_referral_id: uuid.UUID | None
    provider_confirmed: bool | None
    outcome: dict[str, object] | None
    created_at: datetime
    updated_at: datetime
    events: list[EventRead] | None = None
