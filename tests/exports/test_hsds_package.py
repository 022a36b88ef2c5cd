"""`GET /export/hsds-datapackage.zip`: an HSDS 3.0 tabular data package that frictionless
validates with 0 errors, the official descriptor extended after each table's HSDS fields."""

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from frictionless import Package, system
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.exports.hsds_package import EXTENSIONS, official_descriptor
from app.exports.licences import licences_markdown
from tests.exports.helpers import listed_ids, make_hidden, problem


async def _package(client: AsyncClient, tmp_path: Path, **params: str) -> Path:
    response = await client.get("/export/hsds-datapackage.zip", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="hsds-datapackage.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    return tmp_path


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _validate(folder: Path) -> list[Any]:
    """frictionless's errors for the package in `folder` (its own paths only)."""
    with system.use_context(trusted=False):
        report = Package(str(folder / "datapackage.json")).validate()
    return [error for task in report.tasks for error in task.errors] + list(report.errors)


async def test_valid_for_frictionless(client: AsyncClient, tmp_path: Path) -> None:
    folder = await _package(client, tmp_path)
    assert _validate(folder) == []


async def test_official_tables_then_extensions(client: AsyncClient, tmp_path: Path) -> None:
    folder = await _package(client, tmp_path)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    official = {r["name"]: r for r in official_descriptor()["resources"]}
    assert [r["name"] for r in package["resources"]] == list(official)
    for resource in package["resources"]:
        hsds = [f["name"] for f in official[resource["name"]]["schema"]["fields"]]
        extra = [name for name, _, _ in EXTENSIONS.get(resource["name"], [])]
        assert [f["name"] for f in resource["schema"]["fields"]] == hsds + extra
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as file:
            assert next(csv.reader(file)) == hsds + extra
    assert (folder / "LICENSES.md").read_text(encoding="utf-8") == licences_markdown()
    services = _rows(folder, "services.csv")
    assert {row["id"] for row in services} == await listed_ids(client)
    assert all(row["assurer_email"] == "" for row in services)
    locations = _rows(folder, "locations.csv")
    assert any(row["coordinates_approximate"] == "true" for row in locations)
    assert any(row["name_bn"] for row in locations)
    osm = [row for row in locations if row["data_source"] == "openstreetmap"]
    assert osm and all(row["licence"] == "ODbL-1.0" for row in osm)


async def test_filters_and_problems_are_the_lists(client: AsyncClient, tmp_path: Path) -> None:
    folder = await _package(client, tmp_path, district="Satkhira")
    services = {row["id"] for row in _rows(folder, "services.csv")}
    assert services and services == await listed_ids(client, district="Satkhira")
    assert _validate(folder) == []
    expected = await problem(client, "/services", category="astrology")
    got = await problem(client, "/export/hsds-datapackage.zip", category="astrology")
    assert got["type"] == expected["type"] and got["detail"] == expected["detail"]


async def test_no_confidential_location_nor_inactive_service(
    client: AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    hidden = await make_hidden(session)
    folder = await _package(client, tmp_path)
    services = {row["id"] for row in _rows(folder, "services.csv")}
    assert str(hidden.inactive.id) not in services
    assert {str(hidden.mixed.id), str(hidden.sheltered.id)} <= services
    placed = [row for row in _rows(folder, "service_at_location.csv")]
    assert len([row for row in placed if row["service_id"] == str(hidden.mixed.id)]) == 1
    assert not [row for row in placed if row["service_id"] == str(hidden.sheltered.id)]
    text = "".join(path.read_text(encoding="utf-8") for path in folder.glob("*.csv"))
    assert not [secret for secret in hidden.secrets if secret in text]
    assert _validate(folder) == []
