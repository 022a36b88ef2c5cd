"""Search documents of services at confidential locations: neither the PostgreSQL documents nor
the Meilisearch documents made from them carry its point, its union or the union's names."""

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Text, cast, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Location, Organization, ServiceAtLocation
from search.meili import documents
from search.models import SearchOutbox, ServiceSearch, ServiceSearchText
from search.refresh import refresh
from search.sync import drain_once, load_sources
from search.text import search_key
from tests.builders import make_organization, make_service

# Dhulihar union (BD40878254) and Satkhira Paurashava (BD40878299), Satkhira Sadar upazila
SECRET = (22.654321, 89.123457)
PUBLIC = (22.701234, 89.071234)
SECRET_UNION, PUBLIC_UNION, UPAZILA, DISTRICT = "BD40878254", "BD40878299", "BD40870082", "BD4087"


async def _place(
    session: AsyncSession,
    org: Organization,
    service_id: uuid.UUID,
    point: tuple[float, float],
    *,
    confidential: bool,
) -> Location:
    location = Location(
        id=uuid.uuid4(),
        organization_id=org.id,
        name="Place",
        data_source="test",
        latitude=Decimal(f"{point[0]:.6f}"),
        longitude=Decimal(f"{point[1]:.6f}"),
        confidential=confidential,
    )
    session.add(location)
    await session.flush()
    session.add(ServiceAtLocation(id=uuid.uuid4(), service_id=service_id, location_id=location.id))
    await session.flush()
    return location


async def _services(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID]:
    """A service at a confidential location only, and one also at a public location."""
    org = await make_organization(session, name="Safe homes trust")
    hidden = await make_service(session, name="Okapi shelter", organization=org)
    mixed = await make_service(session, name="Okapi counselling", organization=org)
    await _place(session, org, hidden.id, SECRET, confidential=True)
    await _place(session, org, mixed.id, SECRET, confidential=True)
    await _place(session, org, mixed.id, PUBLIC, confidential=False)
    await refresh(session, [hidden.id, mixed.id])
    return hidden.id, mixed.id


async def _union_names(session: AsyncSession, pcode: str) -> list[str]:
    rows = await session.execute(
        text("SELECT name FROM admin_area_name WHERE pcode = :pcode"), {"pcode": pcode}
    )
    return [search_key(name) for name in rows.scalars()]


async def test_postgres_documents_leave_out_the_point_and_union_of_a_confidential_location(
    session: AsyncSession,
) -> None:
    hidden, mixed = await _services(session)
    doc = ServiceSearch.__table__.c
    rows = {
        row.service_id: row
        for row in await session.execute(
            select(
                doc.service_id,
                doc.union_codes,
                doc.upazila_codes,
                doc.district_codes,
                func.ST_AsText(doc.geom).label("geom"),
                func.ST_AsText(doc.geog).label("geog"),
                cast(doc.list_item, Text).label("list_item"),
            ).where(doc.service_id.in_([hidden, mixed]))
        )
    }
    texts = dict(
        (
            await session.execute(
                select(ServiceSearchText.service_id, ServiceSearchText.search_text).where(
                    ServiceSearchText.service_id.in_([hidden, mixed])
                )
            )
        )
        .tuples()
        .all()
    )
    secret_names = await _union_names(session, SECRET_UNION)
    assert "dhulihar" in secret_names

    only_secret = rows[hidden]
    assert only_secret.geom is None and only_secret.geog is None
    assert only_secret.union_codes == []
    assert (only_secret.upazila_codes, only_secret.district_codes) == ([UPAZILA], [DISTRICT])
    both = rows[mixed]
    assert both.geom == f"MULTIPOINT(({PUBLIC[1]} {PUBLIC[0]}))"
    assert both.union_codes == [PUBLIC_UNION]
    for service_id in (hidden, mixed):
        places = texts[service_id]["places"]
        assert "satkhira" in places  # the district's and upazila's names stay
        for name in secret_names:
            assert name not in places
        dump = str(texts[service_id]) + str(rows[service_id])
        for secret in ("22.654321", "89.123457", SECRET_UNION):
            assert secret not in dump


async def test_meilisearch_documents_carry_no_confidential_point_or_union(
    session: AsyncSession,
) -> None:
    hidden, mixed = await _services(session)
    secret_names = await _union_names(session, SECRET_UNION)

    built = {
        source.service_id: documents(source)
        for source in await load_sources(session, [hidden, mixed])
    }

    [alone] = built[hidden]
    assert "_geo" not in alone and alone["points"] == []
    assert alone["union_codes"] == []
    assert alone["upazila_codes"] == [UPAZILA]
    [public] = built[mixed]  # one document: the public placement only
    assert public["_geo"] == {"lat": PUBLIC[0], "lng": PUBLIC[1]}
    assert public["points"] == [[PUBLIC[0], PUBLIC[1]]]
    assert public["union_codes"] == [PUBLIC_UNION]
    for document in (alone, public):
        for name in secret_names:
            assert name not in document["places"]
        assert "22.654321" not in str(document) and SECRET_UNION not in str(document)


class RecordingIndex:
    def __init__(self) -> None:
        self.added: list[dict[str, Any]] = []

    def add_documents(self, docs: Any, primary_key: str | None = None) -> SimpleNamespace:
        self.added.extend(dict(doc) for doc in docs)
        return SimpleNamespace(task_uid="add")

    def delete_documents(self, ids: Any = None, *, filter: Any = None) -> SimpleNamespace:
        return SimpleNamespace(task_uid="delete")


async def test_marking_a_location_confidential_takes_its_point_out_of_meilisearch(
    session: AsyncSession,
) -> None:
    org = await make_organization(session, name="Later secret trust")
    service = await make_service(session, name="Okapi refuge", organization=org)
    location = await _place(session, org, service.id, SECRET, confidential=False)
    await refresh(session, [service.id])
    await session.execute(delete(SearchOutbox))

    location.confidential = True
    await session.flush()
    await refresh(session, [service.id])
    index = RecordingIndex()
    applied = await drain_once(session, index, lambda task: None)

    assert applied == 1
    [document] = index.added
    assert "_geo" not in document and document["points"] == []
    assert document["union_codes"] == []
