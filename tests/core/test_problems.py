"""Errors carry their text and name their place; every operation documents its problems."""

from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from httpx import AsyncClient
from pydantic import ValidationError

import app.main
from app.core.errors import AppError, InvalidField, InvalidHeader, NotFound, placeholders
from app.core.validation import field_errors
from app.directory.write_schemas import LocationUpdate
from tests.statuses import undocumented

BN = {"Accept-Language": "bn"}
CORRECTION = {
    "resource_type": "organization",
    "resource_id": "00000000-0000-0000-0000-000000000000",
    "field": "name",
    "proposed_value": "A better name",
}


def _subclasses(cls: type[AppError]) -> list[type[AppError]]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_error_has_english_and_bangla_text_filled_from_the_same_arguments() -> None:
    errors = _subclasses(AppError)
    assert len(errors) > 30, "the app's domain errors are imported through app.main"
    for error in errors:
        assert error.en and error.bn, error
        # bn may say less, and takes the Bangla twin (`why_bn`) of an English argument
        bangla = {name.removesuffix("_bn") for name in placeholders(error.bn)}
        assert bangla <= placeholders(error.en), error


def test_a_template_is_filled_from_the_raise_and_the_old_constructor_still_works() -> None:
    class WidgetNotFound(NotFound):
        en = "No widget {widget_id}."
        bn = "{widget_id} উইজেট নেই।"

    new = WidgetNotFound(widget_id="w1")
    assert (new.detail, new.detail_bn) == ("No widget w1.", "w1 উইজেট নেই।")
    old = NotFound("No such thing.", "এমন কিছু নেই।")
    assert (old.detail, old.detail_bn) == ("No such thing.", "এমন কিছু নেই।")


def test_an_input_error_names_its_place_and_says_what_is_wrong() -> None:
    reused = InvalidHeader("Idempotency-Key", "was used with another body", "অন্য বডির সঙ্গে")
    assert reused.body("en") == {
        "detail": "Idempotency-Key: was used with another body",
        "errors": [
            {
                "location": "header",
                "parameter": "Idempotency-Key",
                "detail": "was used with another body",
            }
        ],
    }
    assert reused.body("bn")["errors"][0]["detail"] == "অন্য বডির সঙ্গে"
    path = InvalidField(field="code", location="path", detail="is not a category")
    assert path.body("en")["errors"][0]["location"] == "path"


def test_pydantic_places_become_locations_and_parameters() -> None:
    exc = RequestValidationError(
        [
            {"type": "missing", "loc": ("body", "hours", 0, "opens_at"), "msg": "Field required"},
            {"type": "value_error", "loc": ("body",), "msg": "Value error, send a or b"},
            {"type": "missing", "loc": ("header", "idempotency-key"), "msg": "Field required"},
            {"type": "uuid_parsing", "loc": ("path", "service_id"), "msg": "bad"},
            {
                "type": "json_invalid",
                "loc": ("body", 17),
                "msg": "JSON decode error",
                "ctx": {"error": "Expecting value"},
            },
        ]
    )
    got = [(e.location, e.parameter, e.detail) for e in field_errors(exc)]
    assert got == [
        ("body", "hours.0.opens_at", "is required"),
        ("body", "body", "send a or b"),
        ("header", "Idempotency-Key", "is required"),
        ("path", "service_id", "must be a UUID"),
        ("body", "body", "is not valid JSON (Expecting value)"),
    ]


def test_a_model_rule_names_its_field_and_speaks_both_languages() -> None:
    with pytest.raises(ValidationError) as caught:
        LocationUpdate.model_validate({"latitude": 23.17})
    body = [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]
    [error] = field_errors(RequestValidationError(body))
    assert (error.location, error.parameter) == ("body", "longitude")
    assert error.detail == "give latitude and longitude together"
    assert error.detail_bn == "অক্ষাংশ ও দ্রাঘিমা একসাথে দিন"


async def test_a_long_string_is_counted_in_characters(client: AsyncClient) -> None:
    response = await client.post("/corrections", json={**CORRECTION, "comment": "x" * 1001})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error == {
        "location": "body",
        "parameter": "comment",
        "detail": "must have at most 1000 characters",
    }
    bangla = await client.post(
        "/corrections", json={**CORRECTION, "comment": "x" * 1001}, headers=BN
    )
    assert bangla.json()["errors"][0]["detail"] == "সর্বোচ্চ 1000 অক্ষরের হতে পারে"


async def test_json_that_does_not_parse_is_named_as_the_body(client: AsyncClient) -> None:
    response = await client.post(
        "/corrections", content=b'{"field": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["location"], error["parameter"]) == ("body", "body")
    assert error["detail"].startswith("is not valid JSON")


async def test_an_unknown_field_and_a_bad_query_value_say_so(client: AsyncClient) -> None:
    extra = await client.post("/corrections", json={**CORRECTION, "colour": "red"})
    assert extra.json()["errors"][0] == {
        "location": "body",
        "parameter": "colour",
        "detail": "is not a field this request takes",
    }
    query = await client.get("/services", params={"per_page": "many"})
    assert query.json()["errors"][0]["location"] == "query"
    assert query.json()["errors"][0]["parameter"] == "per_page"


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_problem_response_is_the_problem_schema_as_problem_json() -> None:
    schema = app.main.create_app().openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "errors" in problem["properties"]
    entry = schema["components"]["schemas"]["ProblemError"]
    assert entry["properties"]["location"]["enum"] == ["query", "path", "header", "body"]
    operations = _operations(schema)
    assert len(operations) > 40
    for method, path, operation in operations:
        responses = operation["responses"]
        assert {"422", "500"} <= set(responses), (method, path)
        for status, response in responses.items():
            if (method, path, status) == ("get", "/readyz", "503"):
                own = {"$ref": "#/components/schemas/NotReady"}  # a problem with its checks
                assert response["content"] == {"application/problem+json": {"schema": own}}
            elif status[0] in "45":
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, status)


def test_statuses_follow_from_the_parts_of_an_operation() -> None:
    paths = app.main.create_app().openapi()["paths"]
    assert {"401", "403"} <= set(paths["/auth/me"]["get"]["responses"])
    assert "413" in paths["/corrections"]["post"]["responses"]
    assert "401" not in paths["/services"]["get"]["responses"]


def test_a_status_the_openapi_does_not_list_is_reported() -> None:
    application = app.main.create_app()
    seen = {("GET", "/services", 200), ("GET", "/services", 418), ("BREW", "/services", 405)}
    assert undocumented(application, seen) == ["GET /services: 418"]


@pytest.mark.parametrize("status", [404, 409])
def test_problems_declares_statuses_on_a_route(status: int) -> None:
    from app.core.openapi import problems

    assert problems(status)[status]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
