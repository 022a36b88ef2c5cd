"""What the export tests share: services that must never be exported, and the lists' ids."""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Location, Phone, Service, ServiceAtLocation
from search.refresh import refresh
from tests.api import search
from tests.builders import make_service

# a safe home in Jashore Sadar, and the public office of the same service
SECRET_LAT, SECRET_LNG = 23.171717, 89.212121
PUBLIC_LAT, PUBLIC_LNG = 23.166, 89.208
# the safe home's phone, recorded for its organization too
SECRET_PHONE = "01799000111"


@dataclass(frozen=True)
class Hidden:
    """A service at a public office and at a confidential safe home; a service only at a safe
    home; an inactive service."""

    mixed: Service
    sheltered: Service
    inactive: Service
    secrets: tuple[str, ...] = (
        f"{SECRET_LAT:.4f}",
        f"{SECRET_LNG:.4f}",
        "Xylo safe home",
        SECRET_PHONE,
    )


async def _confidential_site(session: AsyncSession, service: Service) -> Location:
    location = Location(
        id=uuid.uuid4(),
        organization_id=service.organization_id,
        name="Xylo safe home",
        latitude=Decimal(f"{SECRET_LAT:.6f}"),
        longitude=Decimal(f"{SECRET_LNG:.6f}"),
        confidential=True,
        data_source="test",
    )
    session.add(location)
    await session.flush()
    session.add(ServiceAtLocation(id=uuid.uuid4(), service_id=service.id, location_id=location.id))
    session.add(
        Phone(
            id=uuid.uuid4(),
            number=SECRET_PHONE,
            location_id=location.id,
            organization_id=service.organization_id,
        )
    )
    await session.flush()
    return location


async def make_hidden(session: AsyncSession) -> Hidden:
    """The records of `Hidden`, indexed for search."""
    mixed = await make_service(
        session, name="Xylo counselling", lat=PUBLIC_LAT, lng=PUBLIC_LNG, categories=("shelter",)
    )
    await _confidential_site(session, mixed)
    sheltered = await make_service(session, name="Xylo shelter", categories=("shelter",))
    await _confidential_site(session, sheltered)
    inactive = await make_service(
        session, name="Xylo closed clinic", lat=PUBLIC_LAT, lng=PUBLIC_LNG
    )
    inactive.status = "inactive"
    await session.flush()
    await refresh(session, [mixed.id, sheltered.id, inactive.id])
    return Hidden(mixed=mixed, sheltered=sheltered, inactive=inactive)


async def listed_ids(client: AsyncClient, **params: Any) -> set[str]:
    """The ids of every service `/services` lists with these filters (all pages)."""
    found: set[str] = set()
    page = 1
    while True:
        body = await search(client, page=page, **params)
        found |= {item["id"] for item in body["contents"]}
        if page >= body["total_pages"]:
            return found
        page += 1


async def problem(client: AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    """The problem a path answers to these parameters (a 4xx, problem+json)."""
    response = await client.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body
