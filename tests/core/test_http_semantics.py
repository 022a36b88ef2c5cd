"""HTTP as RFC 9110 says: HEAD on every GET, 415 for a body in a type the operation does not
read, `If-Match` with `*` and with lists of entity tags."""

import json

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.conditional import BadIfMatch, entity_tags, if_match_allows
from tests.referrals.helpers import parties, refer, service_id
from tests.referrals.test_lifecycle import move, payload

CORRECTION = {
    "resource_type": "organization",
    "resource_id": "00000000-0000-0000-0000-000000000000",
    "field": "name",
    "proposed_value": "A better name",
}
NOBODY = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    "path", ["/", "/services?search=legal", "/taxonomy_terms", "/openapi.json", "/healthz"]
)
async def test_head_answers_as_get_without_the_body(client: AsyncClient, path: str) -> None:
    got = await client.get(path)
    head = await client.head(path)

    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


async def test_head_of_a_missing_record_is_its_404(client: AsyncClient) -> None:
    head = await client.head(f"/services/{NOBODY}")

    assert head.status_code == 404
    assert head.content == b""
    assert head.headers["content-type"] == "application/problem+json"


async def test_a_json_body_in_another_media_type_is_415(client: AsyncClient) -> None:
    as_text = await client.post(
        "/corrections", content=json.dumps(CORRECTION), headers={"Content-Type": "text/plain"}
    )
    untyped = await client.post(
        "/corrections", content=json.dumps(CORRECTION), headers={"Content-Type": ""}
    )
    as_json = await client.post("/corrections", json=CORRECTION)

    for refused in (as_text, untyped):
        assert refused.status_code == 415, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "application/json" in refused.json()["detail"]
    # the JSON is read (and the unknown organization named), not refused for its type
    assert as_json.status_code == 404


async def test_the_sign_in_form_takes_a_form_and_refuses_json(client: AsyncClient) -> None:
    as_json = await client.post("/auth/token", json={"username": "a@b.org", "password": "x"})
    as_form = await client.post("/auth/token", data={"username": "a@b.org", "password": "x"})

    assert as_json.status_code == 415
    assert "application/x-www-form-urlencoded" in as_json.json()["detail"]
    assert as_form.status_code == 401


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("*", None),
        ('"a.1"', ['"a.1"']),
        ('W/"a.1"', ['"a.1"']),
        ('"a.1", W/"a.2" ,"b,c"', ['"a.1"', '"a.2"', '"b,c"']),
    ],
)
def test_if_match_lists_entity_tags_or_any(header: str, tags: list[str] | None) -> None:
    assert entity_tags(header) == tags


@pytest.mark.parametrize("header", ["a.1", '"a.1', '"a.1",', "", '"a" junk'])
def test_a_malformed_if_match_is_refused(header: str) -> None:
    with pytest.raises(BadIfMatch):
        entity_tags(header)


def test_if_match_allows_any_listed_version_or_star() -> None:
    assert if_match_allows("*", '"r.3"')
    assert if_match_allows('"r.2", "r.3"', '"r.3"')
    assert not if_match_allows('"r.2"', '"r.3"')


async def test_a_move_takes_if_match_star_a_list_and_refuses_a_stale_or_malformed_one(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, provider = await parties(session)
    first, etag = await refer(client, referrer, await service_id(session))
    second, _ = await refer(client, referrer, await service_id(session))

    listed = await move(client, provider, first["id"], f'"stale.0", {etag}', payload("accepted"))
    stale = await move(client, provider, first["id"], etag, payload("in_progress"))
    malformed = await move(client, provider, second["id"], "not-a-tag", payload("accepted"))
    star = await move(client, provider, second["id"], "*", payload("accepted"))

    assert listed.status_code == 200, listed.text
    assert stale.status_code == 412
    assert malformed.status_code == 422
    [error] = malformed.json()["errors"]
    assert (error["location"], error["parameter"]) == ("header", "If-Match")
    assert star.status_code == 200, star.text
