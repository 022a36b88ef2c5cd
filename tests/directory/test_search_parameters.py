"""The search parameters are one model: the API root lists exactly the parameters of
`GET /services` that the HSDS API profile does not define, and the model's HSDS names are the
profile's."""

import json
from typing import Any

from httpx import AsyncClient

from app.directory.params import ServiceSearchParams
from directory_data import DATA_DIR

HSDS_OPENAPI = DATA_DIR / "hsds" / "v3.0" / "schema" / "openapi.json"


def _hsds_service_parameters() -> set[str]:
    spec: dict[str, Any] = json.loads(HSDS_OPENAPI.read_text())
    names = set()
    for parameter in spec["paths"]["/services"]["get"]["parameters"]:
        if "$ref" in parameter:
            parameter = spec["components"]["parameters"][parameter["$ref"].split("/")[-1]]
        names.add(parameter["name"])
    return names


async def test_the_root_lists_the_extensions_of_the_services_search(client: AsyncClient) -> None:
    root = (await client.get("/")).json()
    openapi = (await client.get("/openapi.json")).json()
    accepted = [
        parameter["name"]
        for parameter in openapi["paths"]["/services"]["get"]["parameters"]
        if parameter["in"] == "query"
    ]
    hsds = _hsds_service_parameters()

    listed = root["extensions"]["search_parameters"]
    assert listed == [name for name in accepted if name not in hsds]
    assert listed == ServiceSearchParams.extensions()
    assert ServiceSearchParams.HSDS.issubset(hsds)
    assert set(accepted) == set(ServiceSearchParams.model_fields)
