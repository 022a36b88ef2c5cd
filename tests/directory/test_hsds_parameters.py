"""The HSDS 3.0 API parameters this API used to ignore or refuse inconsistently: each one is
either served (`top_only`, `parent_id`, `minimal`, `format`) or refused with its own problem
(`postcode`, `proximity`), never silently ignored."""

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import TaxonomyTerm
from tests.api import get_json


@pytest.mark.parametrize("name", ["postcode", "proximity"])
async def test_post_code_parameters_are_refused_bilingually(client: AsyncClient, name: str) -> None:
    response = await client.get("/service_at_locations", params={name: "9410"})
    bangla = await client.get(
        "/service_at_locations", params={name: "9410"}, headers={"Accept-Language": "bn"}
    )

    assert response.status_code == bangla.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("postcode-not-supported")
    assert problem["detail"].startswith(f"{name}: ")
    assert "near=Kalaroa&radius_km=5" in problem["detail"]
    assert "near=Kalaroa&radius_km=5" in bangla.json()["detail"]
    assert "পোস্ট কোড" in bangla.json()["detail"]


async def test_post_code_is_refused_even_with_other_filters(client: AsyncClient) -> None:
    response = await client.get(
        "/service_at_locations", params={"postcode": "", "near": "Kalaroa", "radius_km": 5}
    )

    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("postcode-not-supported")


async def test_the_suggested_alternative_answers(client: AsyncClient) -> None:
    body = await get_json(client, "/service_at_locations", near="Kalaroa", radius_km=5)

    assert body["total_items"] > 0, "the example the refusal suggests finds services"


async def _child_of(session: AsyncSession, code: str) -> tuple[TaxonomyTerm, TaxonomyTerm]:
    parent = (
        await session.execute(select(TaxonomyTerm).where(TaxonomyTerm.code == code))
    ).scalar_one()
    child = TaxonomyTerm(
        id=uuid.uuid4(),
        code=f"{code}_child_test",
        name="Child term (test)",
        name_bn="উপশ্রেণি (পরীক্ষা)",
        description="A term under another, for the test.",
        description_bn="অন্য শ্রেণির অধীন একটি শ্রেণি, পরীক্ষার জন্য।",
        parent_id=parent.id,
        taxonomy_id=parent.taxonomy_id,
    )
    session.add(child)
    await session.flush()
    return parent, child


async def test_top_only_leaves_out_terms_with_a_parent(
    client: AsyncClient, session: AsyncSession
) -> None:
    parent, child = await _child_of(session, "legal_aid")
    every = await get_json(client, "/taxonomy_terms", per_page=100)
    top = await get_json(client, "/taxonomy_terms", per_page=100, top_only="true")

    top_codes = {t["code"] for t in top["contents"]}
    assert child.code not in top_codes
    assert parent.code in top_codes
    assert top["total_items"] == every["total_items"] - 1


async def test_parent_id_lists_the_children(client: AsyncClient, session: AsyncSession) -> None:
    parent, child = await _child_of(session, "legal_aid")

    children = await get_json(client, "/taxonomy_terms", parent_id=str(parent.id))
    of_child = await get_json(client, "/taxonomy_terms", parent_id=str(child.id))
    unknown = await get_json(client, "/taxonomy_terms", parent_id=str(uuid.uuid4()))

    assert [t["code"] for t in children["contents"]] == [child.code]
    assert of_child["contents"] == [] and unknown["contents"] == []
    assert unknown["total_items"] == 0


async def test_top_only_with_parent_id_is_a_422(client: AsyncClient) -> None:
    response = await client.get(
        "/taxonomy_terms", params={"top_only": "true", "parent_id": str(uuid.uuid4())}
    )

    assert response.status_code == 422, response.text
    assert "top_only" in response.json()["detail"]


@pytest.mark.parametrize(("name", "value"), [("top_only", "maybe"), ("parent_id", "not-a-uuid")])
async def test_bad_taxonomy_term_parameters_are_422(
    client: AsyncClient, name: str, value: str
) -> None:
    response = await client.get("/taxonomy_terms", params={name: value})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_minimal_pages_hold_ids_and_modification_times(client: AsyncClient) -> None:
    minimal = await get_json(client, "/services", minimal="true", per_page=30)
    listed = await get_json(client, "/services", per_page=30)

    assert all(set(item) == {"id", "modified_date"} for item in minimal["contents"])
    assert [i["id"] for i in minimal["contents"]] == [i["id"] for i in listed["contents"]]
    assert minimal["total_items"] == listed["total_items"]


async def test_minimal_with_modified_after(client: AsyncClient) -> None:
    every = await get_json(client, "/services", minimal="true", per_page=100)
    dates = sorted(item["modified_date"] for item in every["contents"])
    after = await get_json(
        client, "/services", minimal="true", per_page=100, modified_after=dates[-1]
    )

    assert 0 < after["total_items"] <= every["total_items"]
    assert all(item["modified_date"] >= dates[-1] for item in after["contents"])


async def test_minimal_with_full_is_a_422(client: AsyncClient) -> None:
    response = await client.get("/services", params={"minimal": "true", "full": "true"})

    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("minimal: ")


async def test_the_root_lists_the_hsds_parameters_supported_and_refused(
    client: AsyncClient,
) -> None:
    listed = (await get_json(client, "/"))["extensions"]["hsds_parameters"]
    openapi = (await client.get("/openapi.json")).json()

    for name, paths in listed["supported"].items():
        for path in paths if name != "format" else ["/services", "/taxonomies"]:
            accepted = {p["name"] for p in openapi["paths"][path]["get"]["parameters"]}
            assert name in accepted, (name, path)
    for name in listed["refused"]:
        response = await client.get("/service_at_locations", params={name: "1"})
        assert response.json()["type"].endswith(listed["refused"][name].split(":")[0])


LISTS = ["/services", "/organizations", "/service_at_locations", "/taxonomies", "/taxonomy_terms"]


async def test_the_openapi_documents_the_hsds_parameters(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    def parameters(path: str) -> dict[str, Any]:
        return {p["name"]: p for p in paths[path]["get"]["parameters"]}

    for path in LISTS:
        declared = parameters(path)["format"]
        assert declared["schema"]["enum"] == ["json", "ndjson"], path
        assert "ndjson" in declared["description"]
        assert "application/x-ndjson" in paths[path]["get"]["responses"]["200"]["content"]
    assert "modified_date" in parameters("/services")["minimal"]["description"]
    assert {"top_only", "parent_id"} <= set(parameters("/taxonomy_terms"))
    for name in ("postcode", "proximity"):
        assert "postcode-not-supported" in parameters("/service_at_locations")[name]["description"]
