"""Bodies of the MoU and referral API. Extra fields are refused everywhere: a referral never
carries a name, phone number or address."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    field_validator,
    model_validator,
)

from app.core.errors import Rule
from app.core.schemas import Body, NotNull, SaneDate, SaneDateTime
from app.referrals.models import Mou, MouStatus, Referral, ReferralEvent, ReferralStatus
from app.referrals.privacy import refuse_contact_details, refuse_identifying_case_ref
from search.text import clean_text

Text = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=2000)]
Short = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=200)]
# a referral's own free text: never a phone number or an email address
CaseText = Annotated[Text, AfterValidator(refuse_contact_details)]
CaseShort = Annotated[Short, AfterValidator(refuse_contact_details)]
# a survivor's case reference: pseudonymous, with at least one digit unless the organization set
# a pattern of its own (checked on creation), and never a phone number
CaseRef = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.\-]{0,39}$", examples=["RJ-2026-0042"]),
    AfterValidator(refuse_identifying_case_ref),
]
# consent may be recorded a little ahead of the server's clock, never in the future
CLOCK_SKEW = timedelta(minutes=5)
RejectionCode = Literal[
    "no_capacity",
    "not_eligible",
    "out_of_area",
    "service_not_offered",
    "survivor_unreachable",
    "other",
]


class MouServiceWrite(Body):
    category: Annotated[str, Field(pattern=r"^[a-z_]{2,40}$")]
    service_id: uuid.UUID | None = None
    free_of_cost: StrictBool | None = None
    cost_terms: Text | None = None
    quota: int | None = Field(default=None, ge=1, le=100_000)
    quota_period: Literal["month", "quarter", "year"] | None = None
    response_sla_hours: int | None = Field(default=None, ge=1, le=24 * 365)

    @model_validator(mode="after")
    def quota_with_period(self) -> "MouServiceWrite":
        if (self.quota is None) != (self.quota_period is None):
            raise Rule(
                "give quota and quota_period together",
                "quota ও quota_period একসাথে দিন",
                field="quota_period" if self.quota_period is None else "quota",
            )
        return self


class MouCreate(Body):
    reference: Short
    referring_organization_id: uuid.UUID
    provider_organization_id: uuid.UUID
    signed_on: SaneDate | None = None
    valid_from: SaneDate
    valid_to: SaneDate | None = None
    status: MouStatus = "draft"
    document_url: HttpUrl | None = None
    services: list[MouServiceWrite] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def coherent(self) -> "MouCreate":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise Rule("is before valid_from", "শুরুর তারিখের আগে", field="valid_to")
        if self.referring_organization_id == self.provider_organization_id:
            raise Rule(
                "an MoU joins two different organizations",
                "সমঝোতা স্মারক দুটি ভিন্ন সংস্থাকে যুক্ত করে",
                field="provider_organization_id",
            )
        return self


class MouUpdate(Body):
    reference: Annotated[Short | None, NotNull] = None
    signed_on: SaneDate | None = None
    valid_from: Annotated[SaneDate | None, NotNull] = None
    valid_to: SaneDate | None = None
    status: Annotated[MouStatus | None, NotNull] = None
    document_url: HttpUrl | None = None
    services: Annotated[
        list[MouServiceWrite] | None, NotNull, Field(min_length=1, max_length=50)
    ] = None


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

    @classmethod
    def of(cls, mou: Mou, *, status: str) -> "MouRead":
        """`mou` as read, with its effective status (an active MoU past its end has expired)."""
        return cls(
            id=mou.id,
            reference=mou.reference,
            referring_organization_id=mou.referring_organization_id,
            provider_organization_id=mou.provider_organization_id,
            signed_on=mou.signed_on,
            valid_from=mou.valid_from,
            valid_to=mou.valid_to,
            status=status,
            document_url=mou.document_url,
            services=[MouServiceRead.model_validate(s) for s in mou.services],
            created_at=mou.created_at,
            updated_at=mou.updated_at,
        )


class Client(Body):
    sex: Literal["female", "male", "other", "unknown"]
    age_band: Literal["0-11", "12-17", "18-24", "25-49", "50+", "unknown"]


class Consent(Body):
    given: StrictBool
    obtained_at: SaneDateTime
    scope: CaseShort | None = None

    @field_validator("given")
    @classmethod
    def must_be_given(cls, given: bool) -> bool:
        if not given:
            raise Rule(
                "a referral needs the survivor's consent (given: true)",
                "রেফারেলের জন্য সারভাইভারের সম্মতি লাগে (given: true)",
            )
        return given

    @field_validator("obtained_at")
    @classmethod
    def not_in_the_future(cls, obtained_at: datetime) -> datetime:
        if obtained_at > datetime.now(UTC) + CLOCK_SKEW:
            raise Rule(
                "consent cannot have been obtained in the future",
                "সম্মতি ভবিষ্যতে নেওয়া হতে পারে না",
            )
        return obtained_at


class ReferralCreate(Body):
    case_ref: CaseRef
    client: Client
    service_id: uuid.UUID
    reason: CaseText
    priority: Literal["routine", "urgent"] = "routine"
    consent: Consent
    notes: CaseText | None = None
    draft: StrictBool = False
    previous_referral_id: uuid.UUID | None = None


class Outcome(Body):
    services_delivered: CaseText
    completed_on: SaneDate
    free_of_cost_honoured: StrictBool
    amount_charged: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)

    @field_validator("completed_on")
    @classmethod
    def not_in_the_future(cls, completed_on: date) -> date:
        # a day's grace: Bangladesh is six hours ahead of the server's UTC
        if completed_on > datetime.now(UTC).date() + timedelta(days=1):
            raise Rule(
                "a service cannot have been completed in the future",
                "সেবা ভবিষ্যতে সম্পন্ন হতে পারে না",
            )
        return completed_on


class Transition(Body):
    to: ReferralStatus
    reason_code: RejectionCode | Literal["expired_no_response"] | None = None
    note: CaseText | None = None
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

    @classmethod
    def of(cls, e: ReferralEvent) -> "EventRead":
        return cls(
            id=e.id,
            at=e.at,
            from_=e.from_status,
            to=e.to_status,
            reason_code=e.reason_code,
            note=e.note,
            actor=Actor(
                user_id=e.actor_user_id, organization_id=e.actor_organization_id, role=e.actor_role
            ),
        )


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

    @classmethod
    def of(cls, referral: Referral, *, overdue: bool, with_events: bool) -> "ReferralRead":
        """`referral` as read (its client, consent and outcome columns nested), with its events
        if `with_events`."""
        outcome = None
        if referral.outcome_completed_on is not None:
            outcome = {
                "services_delivered": referral.outcome_services_delivered,
                "completed_on": referral.outcome_completed_on,
                "free_of_cost_honoured": referral.outcome_free_of_cost_honoured,
                "amount_charged": referral.outcome_amount_charged,
            }
        return cls(
            id=referral.id,
            status=referral.status,
            case_ref=referral.case_ref,
            client={"sex": referral.client_sex, "age_band": referral.client_age_band},
            service_id=referral.service_id,
            category=referral.category,
            referring_organization_id=referral.referring_organization_id,
            provider_organization_id=referral.provider_organization_id,
            mou_id=referral.mou_id,
            outside_mou=referral.outside_mou,
            mou_match=referral.mou_match,
            reason=referral.reason,
            priority=referral.priority,
            consent={
                "given": referral.consent_given,
                "obtained_at": referral.consent_obtained_at,
                "scope": referral.consent_scope,
            },
            notes=referral.notes,
            requested_at=referral.requested_at,
            due_by=referral.due_by,
            accepted_at=referral.accepted_at,
            closed_at=referral.closed_at,
            overdue=overdue,
            previous_referral_id=referral.previous_referral_id,
            provider_confirmed=referral.provider_confirmed,
            outcome=outcome,
            created_at=referral.created_at,
            updated_at=referral.updated_at,
            events=[EventRead.of(e) for e in referral.events] if with_events else None,
        )


class WebhookWrite(Body):
    url: HttpUrl


# a count in a report: a number, or `<5` where a small cell is hidden from a non-party (a
# pattern rather than a Literal: openapi-python-client 0.29 cannot parse an integer-or-const)
Count = Annotated[
    int | Annotated[str, Field(pattern=r"^<5$")],
    Field(description="a count, or `<5` where it is hidden"),
]


class ReportRow(BaseModel):
    """One group's counts; a group key is present when `group_by` names it."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = None
    category: str | None = None
    provider: uuid.UUID | None = Field(default=None, description="the provider organization")
    mou: uuid.UUID | None = Field(default=None, description="the MoU (null: outside any)")
    sex: str | None = None
    age_band: str | None = None
    month: str | None = Field(default=None, description="YYYY-MM, in Bangladesh time")
    sent: Count
    accepted: Count
    accepted_within_sla: Count
    rejected: Count
    completed: Count
    failed: Count
    cancelled: Count
    overdue: Count
    free_of_cost_honoured: Count
    free_of_cost_not_honoured: Count
    median_hours_to_accept: float | None
    median_sla_hours: float | None
    rejected_by_reason: dict[str, Count]


class ReferralReport(BaseModel):
    """Referral counts per group (`group_by`), or one row for all the referrals reported on."""

    model_config = ConfigDict(extra="forbid")

    group_by: list[str]
    suppressed_below: int | None = Field(
        description="counts under this read `<5` (null: nothing is hidden from the caller)"
    )
    rows: list[ReportRow]


class QuotaUse(BaseModel):
    """A service an MoU covers, its quota and the referrals counted against it this period."""

    model_config = ConfigDict(extra="forbid")

    mou_service_id: uuid.UUID
    category: str
    service_id: uuid.UUID | None
    quota: int | None
    quota_period: str | None
    used_this_period: int


class MouReport(ReferralReport):
    """The referral report of one MoU, with the use of its quotas."""

    mou_id: uuid.UUID
    quotas: list[QuotaUse]
