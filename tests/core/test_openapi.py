"""The OpenAPI's operationIds: stable and readable, the names of a generated client's functions."""

import re

from fastapi.routing import APIRoute, iter_route_contexts

from app.main import create_app

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def test_every_operation_id_is_its_route_function_name_once() -> None:
    app = create_app()
    functions = {
        (method.lower(), context.path_format): route.endpoint.__name__
        for context in iter_route_contexts(app.routes)
        if isinstance(route := context.original_route, APIRoute) and context.include_in_schema
        for method in route.methods or ()
    }
    operations = {
        (method, path): operation["operationId"]
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
    }

    assert operations == functions
    ids = list(operations.values())
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for operation_id in ids:
        assert SNAKE_CASE.fullmatch(operation_id), operation_id
        assert not operation_id.endswith(tuple(f"_{m}" for m in METHODS)), operation_id
    assert {
        operations["get", "/services"],
        operations["post", "/auth/token"],
        operations["post", "/referrals/{referral_id}/transitions"],
        operations["get", "/reports/referrals"],
    } == {"search_services", "create_token", "transition_referral", "report_referrals"}
