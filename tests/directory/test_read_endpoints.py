"""Organizations, service-at-locations and taxonomies, as lists and one by one."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import make_service
from tests.geo import haversine_km


async def test_a_service_detail_nests_organization_locations_phones_schedules_and_categories(
    client: AsyncClient,
) -> None:
    found = (await client.get("/services", params={"search": "1098"})).json()["contents"][0]

    body = (await client.get(f"/services/{found['id']}")).json()

    assert body["name"] == "Child Helpline"
    assert body["organization"]["name"].startswith("Department of Social Services")
    assert [p["number"] for p in body["phones"]] == ["1098"]
    assert body["schedules"][0]["description"].startswith("24/7")
    assert {c["code"] for c in body["categories"]} == {"helpline", "child_protection"}
    assert body["service_areas"][0]["admin_pcode"] == "BD"
    assert body["free_of_cost"] is True
    assert body["name_bn"] == "চাইল্ড হেল্পলাইন ১০৯৮"


async def test_a_located_service_gives_latitude_and_longitude(client: AsyncClient) -> None:
    found = (
        await client.get("/services", params={"search": "Kalaroa Upazila Health Complex"})
    ).json()["contents"][0]

    body = (await client.get(f"/services/{found['id']}")).json()

    location = body["service_at_locations"][0]["location"]
    assert 22 < location["latitude"] < 23.5 and 88.9 < location["longitude"] < 89.3
    assert location["licence"] == "ODbL-1.0"


async def test_organizations_can_be_searched_in_both_languages(client: AsyncClient) -> None:
    english = (await client.get("/organizations", params={"search": "rights jessore"})).json()
    bangla = (await client.get("/organizations", params={"search": "রাইটস যশোর"})).json()

    assert [o["name"] for o in english["contents"]] == ["Rights Jessore"]
    assert english["contents"] == bangla["contents"]


async def test_an_organization_detail_lists_its_services_and_locations(client: AsyncClient) -> None:
    org = (await client.get("/organizations", params={"search": "rights jessore"})).json()[
        "contents"
    ][0]

    body = (await client.get(f"/organizations/{org['id']}")).json()

    assert len(body["services"]) >= 3
    assert body["locations"] and all("latitude" in loc for loc in body["locations"])


async def test_service_at_locations_filter_and_measure_each_location(
    client: AsyncClient, session: AsyncSession
) -> None:
    service = await make_service(session, name="Two-site service", lat=21.70, lng=92.40)
    other = await make_service(session, name="Far site service", lat=21.80, lng=92.40)

    body = (
        await client.get(
            "/service_at_locations", params={"lat": 21.70, "lng": 92.401, "radius_km": 5}
        )
    ).json()

    assert [item["service_id"] for item in body["contents"]] == [str(service.id)]
    item = body["contents"][0]
    assert abs(item["distance_km"] - haversine_km(21.70, 92.401, 21.70, 92.40)) < 0.002
    assert str(other.id) not in {i["service_id"] for i in body["contents"]}


async def test_taxonomy_terms_filter_by_taxonomy_and_word(client: AsyncClient) -> None:
    taxonomy = (await client.get("/taxonomies")).json()["contents"][0]

    terms = (
        await client.get("/taxonomy_terms", params={"taxonomy_id": taxonomy["id"], "per_page": 100})
    ).json()
    legal = (await client.get("/taxonomy_terms", params={"search": "আইনগত"})).json()

    assert terms["total_items"] >= 13
    assert all(t["taxonomy"] == taxonomy["name"] for t in terms["contents"])
    assert [t["code"] for t in legal["contents"]] == ["legal_aid"]


async def test_services_filter_by_taxonomy_term_and_organization(client: AsyncClient) -> None:
    term = (await client.get("/taxonomy_terms", params={"search": "shelter"})).json()["contents"][0]
    by_term = (
        await client.get("/services", params={"taxonomy_term_id": term["id"], "per_page": 100})
    ).json()
    by_code = (
        await client.get("/services", params={"category": "shelter", "per_page": 100})
    ).json()

    assert by_term["total_items"] > 0
    assert {s["id"] for s in by_term["contents"]} == {s["id"] for s in by_code["contents"]}

    org_id = by_code["contents"][0]["organization_id"]
    by_org = (
        await client.get("/services", params={"organization_id": org_id, "per_page": 100})
    ).json()
    assert by_org["total_items"] >= 1
    assert all(s["organization_id"] == org_id for s in by_org["contents"])


async def test_modified_after_filters_by_last_change(
    client: AsyncClient, session: AsyncSession
) -> None:
    service = await make_service(session, name="Freshly changed")
    cutoff = (await client.get(f"/services/{service.id}")).json()["last_modified"]

    body = (
        await client.get("/services", params={"modified_after": cutoff, "per_page": 100})
    ).json()

    assert str(service.id) in {s["id"] for s in body["contents"]}
    assert all(s["last_modified"] >= cutoff for s in body["contents"])
