"""Radius, bbox and `near` searches on /services: inclusion, exclusion, distances and order."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api import search
from tests.builders import make_service
from tests.geo import haversine_km, offset_east, offset_north

# Alikadam, Bandarban: no seed service lies within 30 km, so the tests own this area.
ORIGIN = (21.70, 92.40)


async def test_radius_includes_points_inside_and_excludes_points_outside(
    client: AsyncClient, session: AsyncSession
) -> None:
    inside = await make_service(
        session, name="Inside clinic", lat=offset_north(*ORIGIN, 0.99)[0], lng=ORIGIN[1]
    )
    outside = await make_service(
        session, name="Outside clinic", lat=offset_north(*ORIGIN, 1.01)[0], lng=ORIGIN[1]
    )

    body = await search(client, lat=ORIGIN[0], lng=ORIGIN[1], radius_km=1)

    ids = [item["id"] for item in body["contents"]]
    assert str(inside.id) in ids
    assert str(outside.id) not in ids
    assert body["total_items"] == len(ids) == 1


async def test_distance_km_is_great_circle_and_results_sort_by_distance(
    client: AsyncClient, session: AsyncSession
) -> None:
    points = {
        "Far": offset_east(*ORIGIN, 7.5),
        "Near": offset_north(*ORIGIN, 2.0),
        "Middle": (ORIGIN[0] - 0.03, ORIGIN[1] + 0.02),
    }
    for name, (lat, lng) in points.items():
        await make_service(session, name=f"{name} post", lat=lat, lng=lng)

    body = await search(client, lat=ORIGIN[0], lng=ORIGIN[1], radius_km=20)

    names = [item["name"] for item in body["contents"]]
    assert names == ["Near post", "Middle post", "Far post"]
    for item in body["contents"]:
        lat, lng = points[item["name"].removesuffix(" post")]
        expected = haversine_km(ORIGIN[0], ORIGIN[1], float(f"{lat:.6f}"), float(f"{lng:.6f}"))
        assert abs(item["distance_km"] - expected) < 0.002


async def test_explicit_sort_by_name_overrides_distance(
    client: AsyncClient, session: AsyncSession
) -> None:
    await make_service(session, name="Beta post", lat=offset_north(*ORIGIN, 1)[0], lng=ORIGIN[1])
    await make_service(session, name="Alpha post", lat=offset_north(*ORIGIN, 3)[0], lng=ORIGIN[1])

    body = await search(client, lat=ORIGIN[0], lng=ORIGIN[1], radius_km=5, sort="name")

    assert [item["name"] for item in body["contents"]] == ["Alpha post", "Beta post"]
    assert all(item["distance_km"] > 0 for item in body["contents"])


async def test_bbox_returns_exactly_the_services_inside_it(
    client: AsyncClient, session: AsyncSession
) -> None:
    inside = await make_service(session, name="Box inside", lat=21.705, lng=92.405)
    await make_service(session, name="Box outside", lat=21.72, lng=92.405)

    body = await search(client, bbox="92.40,21.70,92.41,21.71")

    assert [item["id"] for item in body["contents"]] == [str(inside.id)]


async def test_bbox_and_radius_agree_on_points_well_inside_both(
    client: AsyncClient, session: AsyncSession
) -> None:
    for km in (0.5, 1.0, 1.5):
        await make_service(
            session, name=f"Agree {km}", lat=offset_north(*ORIGIN, km)[0], lng=ORIGIN[1]
        )

    by_radius = await search(client, lat=ORIGIN[0], lng=ORIGIN[1], radius_km=3)
    by_bbox = await search(
        client, bbox=f"{ORIGIN[1] - 0.02},{ORIGIN[0] - 0.02},{ORIGIN[1] + 0.02},{ORIGIN[0] + 0.02}"
    )

    assert {i["id"] for i in by_radius["contents"]} == {i["id"] for i in by_bbox["contents"]}
    assert by_radius["total_items"] == 3


async def test_services_without_a_location_are_not_in_radius_results(client: AsyncClient) -> None:
    # 1098 is a national helpline with a service area and no physical location
    body = await search(client, lat=23.17, lng=89.21, radius_km=50)

    assert body["total_items"] > 0
    assert "Child Helpline" not in [item["name"] for item in body["contents"]]
    assert all(item["distance_km"] <= 50 for item in body["contents"])


async def test_near_a_place_name_searches_around_its_centroid(client: AsyncClient) -> None:
    by_name = await search(client, near="Kalaroa", radius_km=8)
    by_bangla = await search(client, near="কলারোয়া", radius_km=8)
    by_pcode = await search(client, near="BD40870043", radius_km=8)

    assert by_name["total_items"] > 0
    assert by_name == by_bangla == by_pcode
    distances = [item["distance_km"] for item in by_name["contents"]]
    assert distances == sorted(distances)


async def test_a_point_search_without_radius_is_capped_by_the_default_radius(
    client: AsyncClient,
) -> None:
    body = await search(client, lat=23.17, lng=89.21)

    assert body["total_items"] > 0
    assert max(item["distance_km"] for item in body["contents"]) <= 50
