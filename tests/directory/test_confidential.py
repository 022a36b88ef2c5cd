"""Confidential locations: no public read, search or distance gives away where they are; the
location's own organization, its partners (active MoU) and its maintainers see it in full."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
import pytest
import yaml
from httpx import AsyncClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.auth.models import User
from app.auth.service import ALGORITHM, ISSUER
from app.core.config import get_settings
from app.directory.confidential import (
    ANONYMOUS,
    CONFIDENTIAL_NOTE,
    CONFIDENTIAL_NOTE_BN,
    Viewer,
    may_see_location,
    viewer_for,
)
from app.directory.models import Location, TaxonomyTerm
from directory_data.gazetteer import read_areas
from directory_data.loader import plan_provider, write_plan
from directory_data.records import ProviderRecord
from search.meili import distance_km
from search.query import Point
from search.refresh import refresh_sync
from tests.accounts import Account, make_account, organization_id
from tests.api import Json, facet_counts, ids, search
from tests.referrals.helpers import make_mou

# the safe home: in Dhulihar union (BD40878254), Satkhira Sadar upazila (BD40870082)
LAT, LNG = 22.654321, 89.123457
UNION, UPAZILA, DISTRICT = "BD40878254", "BD40870082", "BD4087"
# a public drop-in centre of the same organization, about 7.5 km away, in another union
PUBLIC_LAT, PUBLIC_LNG, PUBLIC_UNION = 22.701234, 89.071234, "BD40878299"
ADDRESS = "House 12, Kadamtala Lane"
DIRECTIONS = "Behind the blue mosque, second gate"
DESCRIPTION = "Safe home for girls, upstairs from the tailor"
PHONE = "01711000099"
ORG = "cwcs"  # Satkhira
# what must never appear in a public read of the safe home: its coordinates (to 4 decimals
# too), address, directions, description and union
SECRETS = (
    "22.654321",
    "89.123457",
    "22.6543",
    "89.1234",
    ADDRESS,
    "Kadamtala",
    DIRECTIONS,
    DESCRIPTION,
    UNION,
)


@dataclass
class Shelter:
    org_id: str
    org_name: str
    location: Json  # the confidential location, as its maintainer wrote it
    public_location: Json
    service: Json  # offered at the safe home only
    mixed: Json  # offered at the safe home and at the public drop-in centre
    maintainer: Account

    def sal_at(self, service: Json, location: Json) -> str:
        return next(
            str(sal["id"])
            for sal in service["service_at_locations"]
            if sal["location_id"] == location["id"]
        )


async def _post(client: AsyncClient, account: Account, path: str, body: Json) -> Json:
    response = await client.post(path, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    result: Json = response.json()
    return result


@pytest.fixture
async def shelter(client: AsyncClient, session: AsyncSession) -> Shelter:
    """A safe home and a public drop-in centre of CWCS, written through the API."""
    maintainer = await make_account(session, role="district_admin", districts=(DISTRICT,))
    org_id = str(await organization_id(session, ORG))
    location = await _post(
        client,
        maintainer,
        "/locations",
        {
            "organization_id": org_id,
            "name": "Zebra safe home",
            "name_bn": "জেব্রা নিরাপদ আবাস",
            "description": DESCRIPTION,
            "transportation": DIRECTIONS,
            "latitude": LAT,
            "longitude": LNG,
            "confidential": True,
            "address": {"address_1": ADDRESS, "city": "Satkhira", "state_province": "Khulna"},
        },
    )
    await _post(client, maintainer, "/phones", {"number": PHONE, "location_id": location["id"]})
    public = await _post(
        client,
        maintainer,
        "/locations",
        {
            "organization_id": org_id,
            "name": "Zebra drop-in centre",
            "latitude": PUBLIC_LAT,
            "longitude": PUBLIC_LNG,
        },
    )
    service = await _post(
        client,
        maintainer,
        "/services",
        {
            "organization_id": org_id,
            "name": "Zebra safe home",
            "categories": ["shelter"],
            "location_ids": [location["id"]],
        },
    )
    mixed = await _post(
        client,
        maintainer,
        "/services",
        {
            "organization_id": org_id,
            "name": "Zebra counselling",
            "categories": ["counselling"],
            "location_ids": [location["id"], public["id"]],
        },
    )
    org = (await client.get(f"/organizations/{org_id}")).json()
    return Shelter(org_id, org["name"], location, public, service, mixed, maintainer)


def test_the_maintainer_wrote_the_location_in_full(shelter: Shelter) -> None:
    location = shelter.location
    assert location["confidential"] is True
    assert (location["latitude"], location["longitude"]) == (LAT, LNG)
    assert location["union_pcode"] == UNION
    assert location["addresses"][0]["address_1"] == ADDRESS


def _public_reads(shelter: Shelter) -> list[tuple[str, dict[str, str]]]:
    sal = shelter.sal_at(shelter.service, shelter.location)
    mixed_sal = shelter.sal_at(shelter.mixed, shelter.location)
    return [
        ("/services", {"search": "zebra"}),
        ("/services", {"search": "zebra", "full": "true"}),
        ("/services", {"organization_id": shelter.org_id, "full": "true", "per_page": "100"}),
        ("/services", {"search": "zebra", "facets": "union,upazila,district,category"}),
        (f"/services/{shelter.service['id']}", {}),
        (f"/services/{shelter.mixed['id']}", {}),
        ("/organizations", {"search": shelter.org_name}),
        ("/organizations", {"search": shelter.org_name, "full_service": "true"}),
        (f"/organizations/{shelter.org_id}", {}),
        ("/service_at_locations", {"search": "zebra"}),
        ("/service_at_locations", {"organization_id": shelter.org_id, "per_page": "100"}),
        (f"/service_at_locations/{sal}", {}),
        (f"/service_at_locations/{mixed_sal}", {}),
    ]


def _locations(value: Any) -> list[Json]:
    """Every location object anywhere in a response body."""
    found: list[Json] = []
    if isinstance(value, dict):
        if "location_type" in value:
            found.append(value)
        for item in value.values():
            found.extend(_locations(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_locations(item))
    return found


def _assert_redacted(location: Json) -> None:
    assert location["confidential"] is True
    assert location["confidential_note"] == CONFIDENTIAL_NOTE
    assert location["confidential_note_bn"] == CONFIDENTIAL_NOTE_BN
    assert location["name"] == "Zebra safe home"
    assert location["name_bn"] == "জেব্রা নিরাপদ আবাস"
    assert (location["division_pcode"], location["district_pcode"], location["upazila_pcode"]) == (
        "BD40",
        DISTRICT,
        UPAZILA,
    )
    assert [phone["number"] for phone in location["phones"]] == [PHONE]
    assert location.get("addresses", []) == []
    for field in (
        "latitude",
        "longitude",
        "union_pcode",
        "transportation",
        "description",
        "description_bn",
        "external_identifier",
        "source_note",
        "coordinates_source",
        "coordinates_approximate",
        "distance_km",
        "url",
    ):
        assert field not in location, field


def _assert_full(location: Json) -> None:
    assert location["confidential"] is True
    assert "confidential_note" not in location
    assert (location["latitude"], location["longitude"]) == (LAT, LNG)
    assert location["union_pcode"] == UNION
    assert location["addresses"][0]["address_1"] == ADDRESS
    assert location["transportation"] == DIRECTIONS


def _expired_token(account: Account) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER, "sub": str(account.user.id), "email": account.user.email,
        "org": str(account.user.organization_id), "role": account.user.role,
        "iat": now - timedelta(hours=2), "exp": now - timedelta(hours=1), "jti": "expired",
    }  # fmt: skip
    return jwt.encode(claims, get_settings().secret_key, algorithm=ALGORITHM)


@pytest.fixture(
    params=["anonymous", "unrelated caseworker", "invalid token", "expired token", "revoked token"]
)
async def outsider(
    request: pytest.FixtureRequest, client: AsyncClient, session: AsyncSession
) -> dict[str, str]:
    """The headers of someone who may not see the safe home: a token that is not valid (even
    one of the location's own organization) counts for nothing, as on any public read."""
    if request.param == "anonymous":
        return {}
    if request.param == "invalid token":
        return {"Authorization": "Bearer not-a-token"}
    if request.param == "unrelated caseworker":
        stranger = await make_account(
            session, role="caseworker", organization="dhaka-ahsania-mission"
        )
        return stranger.headers
    own = await make_account(session, role="caseworker", organization=ORG)
    if request.param == "expired token":
        return {"Authorization": f"Bearer {_expired_token(own)}"}
    assert (await client.post("/auth/logout", headers=own.headers)).status_code == 204
    return own.headers


async def test_no_public_read_tells_where_a_confidential_location_is(
    client: AsyncClient, shelter: Shelter, outsider: dict[str, str]
) -> None:
    seen = 0
    for path, params in _public_reads(shelter):
        response = await client.get(path, params=params, headers=outsider)

        assert response.status_code == 200, (path, response.text)
        for secret in SECRETS:
            assert secret not in response.text, (path, params, secret)
        for location in _locations(response.json()):
            if location["id"] == shelter.location["id"]:
                _assert_redacted(location)
                seen += 1
            elif location["id"] == shelter.public_location["id"]:
                assert location["confidential"] is False
                assert location["latitude"] == PUBLIC_LAT
    # the safe home is listed, redacted, wherever its services and organization are
    assert seen >= 9


async def test_the_service_at_a_confidential_location_keeps_no_free_text_about_it(
    client: AsyncClient, session: AsyncSession, shelter: Shelter
) -> None:
    sal = shelter.sal_at(shelter.service, shelter.location)
    await session.execute(
        text("UPDATE service_at_location SET description = :d WHERE id = :id"),
        {"d": "Ring twice at the green door", "id": uuid.UUID(sal)},
    )

    for path in (f"/service_at_locations/{sal}", f"/services/{shelter.service['id']}"):
        response = await client.get(path)
        assert "green door" not in response.text


async def test_union_filters_and_facets_do_not_count_a_confidential_location(
    client: AsyncClient, shelter: Shelter
) -> None:
    faceted = await search(client, search="zebra", facets="union,upazila,district")

    assert ids(faceted) == {shelter.service["id"], shelter.mixed["id"]}
    assert facet_counts(faceted, "union") == {PUBLIC_UNION: 1}
    assert facet_counts(faceted, "upazila") == {UPAZILA: 2}
    assert facet_counts(faceted, "district") == {DISTRICT: 2}
    assert ids(await search(client, search="zebra", union=UNION)) == set()
    assert ids(await search(client, search="zebra", union="Dhulihar")) == set()
    # the union's name does not find it either; the district's and upazila's do
    assert ids(await search(client, search="zebra dhulihar")) == set()
    assert shelter.service["id"] in ids(await search(client, search="zebra satkhira"))
    assert shelter.service["id"] in ids(await search(client, district="Satkhira", search="zebra"))
    assert shelter.service["id"] in ids(await search(client, upazila=UPAZILA, category="shelter"))
    sals = (await client.get("/service_at_locations", params={"union": UNION})).json()
    assert shelter.location["id"] not in {sal["location_id"] for sal in sals["contents"]}


@pytest.fixture(params=["anonymous", "partner"])
async def searcher(
    request: pytest.FixtureRequest, session: AsyncSession, shelter: Shelter
) -> dict[str, str]:
    """Geo searches never use a confidential point, whoever asks."""
    if request.param == "anonymous":
        return {}
    await make_mou(session, referring="agrogoti-sangstha", provider=ORG, service=None)
    partner = await make_account(session, role="caseworker", organization="agrogoti-sangstha")
    return partner.headers


async def test_radius_bbox_and_near_do_not_find_a_service_by_its_confidential_point(
    client: AsyncClient, shelter: Shelter, searcher: dict[str, str]
) -> None:
    box = f"{LNG - 0.01},{LAT - 0.01},{LNG + 0.01},{LAT + 0.01}"
    searches: list[dict[str, Any]] = [
        {"lat": LAT, "lng": LNG, "radius_km": 1},
        {"lat": LAT, "lng": LNG, "radius_km": 1, "full": "true"},
        {"lat": LAT, "lng": LNG, "radius_km": 1, "facets": "union"},
        {"bbox": box},
        {"near": UNION, "radius_km": 3},
    ]
    for params in searches:
        response = await client.get(
            "/services", params={"per_page": 100, **params}, headers=searcher
        )
        assert response.status_code == 200, response.text
        found = ids(response.json())
        assert shelter.service["id"] not in found, params
        assert shelter.mixed["id"] not in found, params
        for secret in SECRETS:
            assert secret not in response.text

        if "facets" in params or "full" in params:
            continue
        sals = await client.get(
            "/service_at_locations", params={"per_page": 100, **params}, headers=searcher
        )
        assert sals.status_code == 200, sals.text
        located = {sal["location_id"] for sal in sals.json()["contents"]}
        assert shelter.location["id"] not in located, params
        for secret in SECRETS:
            assert secret not in sals.text


async def test_a_service_gets_its_distance_from_its_public_locations_only(
    client: AsyncClient, shelter: Shelter, searcher: dict[str, str]
) -> None:
    expected = round(distance_km(Point(LAT, LNG), [(PUBLIC_LAT, PUBLIC_LNG)]) or 0.0, 3)
    assert expected > 7
    centre = {"lat": LAT, "lng": LNG, "radius_km": 20, "per_page": 100}

    for full in ("false", "true"):
        body = (
            await client.get("/services", params={**centre, "full": full}, headers=searcher)
        ).json()
        distances = {item["id"]: item.get("distance_km") for item in body["contents"]}
        assert shelter.service["id"] not in distances
        assert distances[shelter.mixed["id"]] == pytest.approx(expected, abs=0.002)

    sals = (
        await client.get(
            "/service_at_locations", params={**centre, "sort": "distance"}, headers=searcher
        )
    ).json()
    mine = [sal for sal in sals["contents"] if sal["service_id"] == shelter.mixed["id"]]
    assert [sal["location_id"] for sal in mine] == [shelter.public_location["id"]]
    assert mine[0]["distance_km"] == pytest.approx(expected, abs=0.002)


def _full_reads(shelter: Shelter) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/services/{shelter.service['id']}", {}),
        (f"/services/{shelter.mixed['id']}", {}),
        (f"/organizations/{shelter.org_id}", {}),
        (f"/service_at_locations/{shelter.sal_at(shelter.service, shelter.location)}", {}),
        ("/services", {"search": "zebra", "full": "true"}),
        ("/organizations", {"search": shelter.org_name, "full_service": "true"}),
    ]


@pytest.mark.parametrize(
    "who", ["partner, referring", "partner, providing", "own organization", "maintainer", "admin"]
)
async def test_partners_the_organization_and_its_maintainers_see_the_location_in_full(
    client: AsyncClient, session: AsyncSession, shelter: Shelter, who: str
) -> None:
    if who.startswith("partner"):
        other = "agrogoti-sangstha"
        if who == "partner, referring":
            await make_mou(session, referring=ORG, provider=other, service=None)
        else:
            await make_mou(session, referring=other, provider=ORG, service=None)
        account = await make_account(session, role="caseworker", organization=other)
    elif who == "own organization":
        account = await make_account(session, role="caseworker", organization=ORG)
    elif who == "maintainer":
        account = shelter.maintainer
    else:
        account = await make_account(session, role="admin", organization="dhaka-ahsania-mission")

    for path, params in _full_reads(shelter):
        response = await client.get(path, params=params, headers=account.headers)

        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        mine = [x for x in _locations(response.json()) if x["id"] == shelter.location["id"]]
        assert mine, path
        for location in mine:
            _assert_full(location)


@pytest.mark.parametrize(
    ("status", "valid_from", "valid_to"),
    [
        ("draft", -30, None),
        ("active", -400, -1),  # past its end: expired even before the nightly job
        ("expired", -400, -1),
        ("suspended", -30, None),
        ("terminated", -30, None),
        ("active", 10, None),  # not in force yet
    ],
)
async def test_a_party_to_an_mou_not_in_force_sees_the_redacted_form(
    client: AsyncClient,
    session: AsyncSession,
    shelter: Shelter,
    status: str,
    valid_from: int,
    valid_to: int | None,
) -> None:
    today = date.today()
    await make_mou(
        session,
        referring="agrogoti-sangstha",
        provider=ORG,
        service=None,
        status=status,
        valid_from=today + timedelta(days=valid_from),
        valid_to=None if valid_to is None else today + timedelta(days=valid_to),
    )
    caseworker = await make_account(session, role="caseworker", organization="agrogoti-sangstha")

    for path, params in _full_reads(shelter):
        response = await client.get(path, params=params, headers=caseworker.headers)

        for secret in SECRETS:
            assert secret not in response.text, (path, secret)
        for location in _locations(response.json()):
            if location["id"] == shelter.location["id"]:
                _assert_redacted(location)


async def test_the_rule_is_one_function_of_the_viewer(session: AsyncSession) -> None:
    cwcs = await organization_id(session, ORG)
    other = await organization_id(session, "agrogoti-sangstha")
    caseworker = await make_account(session, role="caseworker", organization="agrogoti-sangstha")
    actor = _actor(caseworker.user)

    assert not may_see_location(ANONYMOUS, organization_id=cwcs, organization_district=DISTRICT)
    assert not may_see_location(
        await viewer_for(session, actor), organization_id=cwcs, organization_district=DISTRICT
    )
    await make_mou(session, referring=ORG, provider="agrogoti-sangstha", service=None)
    viewer = await viewer_for(session, actor)
    assert viewer == Viewer(actor=actor, partner_ids=frozenset({cwcs}))
    assert may_see_location(viewer, organization_id=cwcs, organization_district=DISTRICT)
    assert may_see_location(viewer, organization_id=other, organization_district=DISTRICT)
    # maintainers: by the organization's home district, not the location's
    jashore_admin = _actor(caseworker.user, "BD4041", role="district_admin")
    satkhira_admin = _actor(caseworker.user, DISTRICT, role="district_admin")
    for admin, district, sees in (
        (jashore_admin, DISTRICT, False),
        (jashore_admin, "BD4041", True),
        (satkhira_admin, DISTRICT, True),
    ):
        viewer = Viewer(actor=admin)
        assert (
            may_see_location(viewer, organization_id=cwcs, organization_district=district) is sees
        )


def _actor(user: User, *districts: str, role: str | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        email=user.email,
        organization_id=user.organization_id,
        role=role or user.role,
        districts=frozenset(districts),
    )


async def test_confidential_is_a_strict_boolean_with_its_history(
    client: AsyncClient, session: AsyncSession, shelter: Shelter
) -> None:
    headers = shelter.maintainer.headers
    location_id = shelter.location["id"]
    for bad in ("yes", "true", 1, None):
        response = await client.patch(
            f"/locations/{location_id}", json={"confidential": bad}, headers=headers
        )
        assert response.status_code == 422, bad
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any(
            e.get("name", "").endswith("confidential") or "confidential" in str(e)
            for e in response.json()["errors"]
        )
    created = await client.post(
        "/locations",
        headers=headers,
        json={
            "organization_id": shelter.org_id,
            "name": "X",
            "latitude": LAT,
            "longitude": LNG,
            "confidential": "true",
        },
    )
    assert created.status_code == 422

    opened = await client.patch(
        f"/locations/{location_id}", json={"confidential": False}, headers=headers
    )

    assert opened.status_code == 200
    assert opened.json()["confidential"] is False
    # public again: found by its point, and shown in full
    assert shelter.service["id"] in ids(await search(client, lat=LAT, lng=LNG, radius_km=1))
    detail = (await client.get(f"/services/{shelter.service['id']}")).json()
    assert detail["service_at_locations"][0]["location"]["latitude"] == LAT
    history = (await client.get(f"/locations/{location_id}/history", headers=headers)).json()
    changes = {(c["last_action_type"], c["field_name"]): c for c in history["contents"]}
    assert changes[("create", "confidential")]["replacement_value"] == "True"
    update = changes[("update", "confidential")]
    assert (update["previous_value"], update["replacement_value"]) == ("True", "False")

    hidden = await client.patch(
        f"/locations/{location_id}", json={"confidential": True}, headers=headers
    )
    assert hidden.status_code == 200
    assert shelter.service["id"] not in ids(await search(client, lat=LAT, lng=LNG, radius_km=1))


async def test_a_location_is_public_unless_marked(
    client: AsyncClient, session: AsyncSession, shelter: Shelter
) -> None:
    assert shelter.public_location["confidential"] is False
    location = await session.get(Location, uuid.UUID(shelter.public_location["id"]))
    assert location is not None and location.confidential is False


PROVIDER = """\
key: test-safe-homes
name: Safe homes test provider
name_bn: নিরাপদ আবাস
description: Runs a shelter.
description_bn: আশ্রয়কেন্দ্র চালায়।
legal_status: ngo
district: BD4087
sources:
  - {document: test.txt, quote: "Runs a shelter"}
locations:
  - {key: home, name: Safe home, district: BD4087, upazila: BD40870082, confidential: true}
  - {key: office, name: Office, district: BD4087, upazila: BD40870082}
services:
  - key: shelter
    name: Shelter
    name_bn: আশ্রয়
    description: Shelter.
    description_bn: আশ্রয়।
    categories: [shelter]
    locations: [home, office]
"""


def test_seed_files_may_mark_a_location_confidential_and_a_reload_never_reveals_one(
    database_url: str,
) -> None:
    areas = read_areas()
    record = ProviderRecord.model_validate(yaml.safe_load(PROVIDER))
    plan, errors = plan_provider(record, areas, "test.yaml")
    assert errors == [] and plan is not None
    home, office = plan.locations
    assert home["confidential"] is True
    assert "confidential" not in office  # the column's default: public
    with pytest.raises(ValueError, match="confidential"):
        ProviderRecord.model_validate(
            yaml.safe_load(PROVIDER.replace("confidential: true", "confidential: 'yes'"))
        )

    engine = create_engine(database_url)
    with engine.connect() as conn, conn.begin() as transaction:
        terms = dict(conn.execute(select(TaxonomyTerm.code, TaxonomyTerm.id)).tuples().all())
        write_plan(conn, plan, terms, refresh=False)
        # a maintainer marks the office confidential too; a refresh from the file keeps it so
        conn.execute(
            text("UPDATE location SET confidential = true WHERE id = :id"), {"id": office["id"]}
        )
        reloaded, _ = plan_provider(record, areas, "test.yaml")
        assert reloaded is not None
        write_plan(conn, reloaded, terms, refresh=True)
        refresh_sync(conn, [plan.services[0]["id"]])
        flags = dict(
            conn.execute(
                select(Location.id, Location.confidential).where(
                    Location.id.in_([home["id"], office["id"]])
                )
            )
            .tuples()
            .all()
        )
        assert flags == {home["id"]: True, office["id"]: True}
        geom = conn.execute(
            text("SELECT geom FROM service_search WHERE service_id = :id"),
            {"id": plan.services[0]["id"]},
        ).scalar_one()
        assert geom is None
        transaction.rollback()
    engine.dispose()
