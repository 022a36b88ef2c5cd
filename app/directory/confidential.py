"""Confidential locations (shelters, safe homes): who may see where they are, and what everyone
else sees of them. Every read of the directory applies these, and so must anything else that
publishes it.

Search documents never hold a confidential location's point or union at all (the SQL function
`refresh_service_search`), so this module only concerns the locations a read returns.
"""

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.directory.models import Location, Organization
from app.directory.policy import may_maintain
from app.directory.schemas import LocationRead

CONFIDENTIAL_NOTE = "Location confidential: call the organization."
CONFIDENTIAL_NOTE_BN = "অবস্থান গোপন রাখা হয়েছে: সংস্থাকে ফোন করুন।"

# What a redacted location keeps: what it is called, how to call it and its division, district
# and upazila. Everything else could lead to the place (address, point, union, directions, free
# text, external ids, the provenance note quoting sources, the URL): it is left out, and so is
# any field added later unless it is named here.
REDACTED_FIELDS = frozenset(
    {
        "id",
        "location_type",
        "organization_id",
        "name",
        "name_bn",
        "division_pcode",
        "district_pcode",
        "upazila_pcode",
        "phones",
        "data_source",
        "licence",
        "assured_date",
        "assured_by",
    }
)


@dataclass(frozen=True)
class Viewer:
    """Who reads the directory: anonymous (`actor` None), or a signed-in user with the
    organizations its own has an active MoU with."""

    actor: Actor | None = None
    partner_ids: frozenset[uuid.UUID] = frozenset()


ANONYMOUS = Viewer()


# Which organizations work with an organization (the referrals domain's active MoUs, in either
# direction): the directory knows no MoU, so the application wires it in (`app.main`).
PartnerLookup = Callable[[AsyncSession, uuid.UUID, date], Awaitable[set[uuid.UUID]]]


async def _no_partners(
    session: AsyncSession, organization_id: uuid.UUID, today: date
) -> set[uuid.UUID]:
    return set()


_partners_of: PartnerLookup = _no_partners


def use_partners(lookup: PartnerLookup) -> None:
    """Set how a viewer's partner organizations are found (called once by `create_app`)."""
    global _partners_of
    _partners_of = lookup


async def viewer_for(
    session: AsyncSession, actor: Actor | None, *, today: date | None = None
) -> Viewer:
    """The viewer of a request: the actor and the organizations its own works with (for
    referrals: an active MoU in either direction)."""
    if actor is None:
        return ANONYMOUS
    own = actor.organization_id
    partners = await _partners_of(session, own, today or date.today())
    return Viewer(actor=actor, partner_ids=frozenset(partners - {own}))


def may_see_location(
    viewer: Viewer, *, organization_id: uuid.UUID | None, organization_district: str | None
) -> bool:
    """Whether the viewer sees where a confidential location of this organization (with this
    home district) is: users of the organization itself, of an organization with an active MoU
    with it, and its maintainers. Anonymous callers never do."""
    actor = viewer.actor
    if actor is None:
        return False
    if organization_id is not None and (
        organization_id == actor.organization_id or organization_id in viewer.partner_ids
    ):
        return True
    return may_maintain(actor, district=organization_district, organization_id=organization_id)


def redact_location(location: LocationRead) -> LocationRead:
    """What everyone else sees of a confidential location: `REDACTED_FIELDS`, marked
    confidential, with a note saying to call the organization."""
    kept = {field: getattr(location, field) for field in REDACTED_FIELDS}
    return LocationRead.model_validate(
        {
            **kept,
            "confidential": True,
            "confidential_note": CONFIDENTIAL_NOTE,
            "confidential_note_bn": CONFIDENTIAL_NOTE_BN,
        }
    )


async def hidden_locations(
    session: AsyncSession, viewer: Viewer, locations: Iterable[Location]
) -> frozenset[uuid.UUID]:
    """The ids of the confidential ones among `locations` that the viewer may not see."""
    confidential = [location for location in locations if location.confidential]
    if not confidential:
        return frozenset()
    districts: dict[uuid.UUID, str | None] = {}
    if viewer.actor is not None:
        org_ids = {loc.organization_id for loc in confidential if loc.organization_id is not None}
        stmt = select(Organization.id, Organization.district_pcode).where(
            Organization.id.in_(org_ids)
        )
        districts = dict((await session.execute(stmt)).tuples().all())
    return frozenset(
        location.id
        for location in confidential
        if not may_see_location(
            viewer,
            organization_id=location.organization_id,
            organization_district=districts.get(location.organization_id)
            if location.organization_id is not None
            else None,
        )
    )
