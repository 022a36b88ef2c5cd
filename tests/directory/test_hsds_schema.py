"""Responses validate against the vendored HSDS 3.0 JSON schemas."""

import json
from functools import cache
from typing import Any

import pytest
from httpx import AsyncClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory_data import DATA_DIR

SCHEMA_DIR = DATA_DIR / "hsds" / "v3.0" / "schema"


@cache
def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        if path.name != "openapi.json":
            resources.append(
                (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
            )
    return Registry().with_resources(resources)


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text())
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _errors(name: str, instance: object) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(name).iter_errors(instance)
    ]


async def _all_services(client: AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = (await client.get("/services", params={"per_page": 100, "page": page})).json()
        items.extend(body["contents"])
        if body["last_page"]:
            return items
        page += 1


async def test_every_service_list_item_is_a_valid_hsds_service_list_item(
    client: AsyncClient,
) -> None:
    items = await _all_services(client)

    assert len(items) >= 40
    for item in items:
        assert _errors("compiled/service_list.json", item) == [], item["name"]


async def test_every_full_service_is_a_valid_hsds_service(client: AsyncClient) -> None:
    for item in await _all_services(client):
        body = (await client.get(f"/services/{item['id']}")).json()
        assert _errors("service.json", body) == [], item["name"]


async def test_full_listing_gives_the_same_objects_as_the_detail_endpoint(
    client: AsyncClient,
) -> None:
    listing = (
        await client.get(
            "/services", params={"full": "true", "district": "Satkhira", "per_page": 10}
        )
    ).json()

    for item in listing["contents"]:
        assert item == (await client.get(f"/services/{item['id']}")).json()


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/organizations", "organization.json"),
        ("/service_at_locations", "service_at_location.json"),
        ("/taxonomies", "taxonomy.json"),
        ("/taxonomy_terms", "taxonomy_term.json"),
    ],
)
async def test_other_lists_and_details_validate(
    client: AsyncClient, path: str, schema: str
) -> None:
    listing = (await client.get(path, params={"per_page": 10})).json()

    assert listing["contents"]
    for item in listing["contents"]:
        detail = (await client.get(f"{path}/{item['id']}")).json()
        assert _errors(schema, detail) == [], item["id"]
