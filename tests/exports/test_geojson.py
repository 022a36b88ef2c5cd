"""`GET /export/services.geojson`: an RFC 7946 FeatureCollection that GDAL (QGIS) opens."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.exports.helpers import listed_ids, make_hidden, problem


async def _collection(client: AsyncClient, **params: str) -> tuple[bytes, dict[str, Any]]:
    response = await client.get("/export/services.geojson", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    assert 'filename="services.geojson"' in response.headers["content-disposition"]
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    return response.content, body


async def test_features_of_the_listed_services(client: AsyncClient) -> None:
    _, body = await _collection(client)
    features = body["features"]
    assert features
    assert len({f["id"] for f in features}) == len(features)
    for feature in features:
        lng, lat = feature["geometry"]["coordinates"]
        # RFC 7946: longitude first; Bangladesh lies within these bounds
        assert 88 < lng < 93 and 20 < lat < 27
    services = {f["properties"]["service_id"] for f in features}
    assert services <= await listed_ids(client)
    assert any(f["properties"]["name_bn"] and f["properties"]["district_bn"] for f in features)
    assert any(f["properties"]["coordinates_approximate"] for f in features)
    assert body["licence"]["attribution"] and body["licence"]["attribution_bn"]
    osm = [f for f in features if f["properties"]["data_source"] == "openstreetmap"]
    assert osm and all(f["properties"]["licence"] == "ODbL-1.0" for f in osm)


def _ogrinfo(ogrinfo: str, path: Path) -> subprocess.CompletedProcess[str]:
    """ogrinfo's summary of every layer of a file (what QGIS's GDAL driver reads)."""
    command = [ogrinfo, "-ro", "-al", "-so", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=True)


async def test_ogrinfo_opens_it(client: AsyncClient, tmp_path: Path) -> None:
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "gdal-bin is missing: scripts/setup.sh --browser installs it"
    content, body = await _collection(client, district="Jashore")
    path = tmp_path / "services.geojson"
    path.write_bytes(content)
    result = _ogrinfo(ogrinfo, path)
    count = re.search(r"Feature Count: (\d+)", result.stdout)
    assert count and int(count.group(1)) == len(body["features"]) > 0
    assert "Point" in result.stdout
    assert "name_bn: String" in result.stdout


async def test_filters_and_problems_are_the_lists(client: AsyncClient) -> None:
    _, body = await _collection(client, category="health")
    services = {f["properties"]["service_id"] for f in body["features"]}
    assert services and services <= await listed_ids(client, category="health")
    expected = await problem(client, "/services", district="Atlantis")
    got = await problem(client, "/export/services.geojson", district="Atlantis")
    assert got["type"] == expected["type"] and got["detail"] == expected["detail"]


async def test_no_confidential_location_nor_inactive_service(
    client: AsyncClient, session: AsyncSession
) -> None:
    hidden = await make_hidden(session)
    content, body = await _collection(client)
    by_service: dict[str, list[dict[str, Any]]] = {}
    for feature in body["features"]:
        by_service.setdefault(feature["properties"]["service_id"], []).append(feature)
    assert len(by_service[str(hidden.mixed.id)]) == 1  # the public office only
    assert str(hidden.sheltered.id) not in by_service
    assert str(hidden.inactive.id) not in by_service
    text = content.decode("utf-8")
    assert not [secret for secret in hidden.secrets if secret in text]
