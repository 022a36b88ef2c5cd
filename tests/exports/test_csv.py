"""`GET /export/services.csv`: one row per public service, Bangla readable by spreadsheets."""

import csv
import io

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.exports.rows import HEADER
from tests.exports.helpers import listed_ids, make_hidden, problem


def _rows(response: Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == HEADER
    return list(reader)


async def test_one_row_per_listed_service(client: AsyncClient) -> None:
    response = await client.get("/export/services.csv")
    rows = _rows(response)
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="services.csv"' in response.headers["content-disposition"]
    assert response.headers["link"].endswith('/export/licences>; rel="license"')
    assert [row["id"] for row in rows] == list(dict.fromkeys(row["id"] for row in rows))
    assert {row["id"] for row in rows} == await listed_ids(client)
    # the seed's Bangla names come through, and every row names its source and licence
    assert any(row["name_bn"] and row["district_bn"] for row in rows)
    assert all(row["data_source"] and row["licence"] for row in rows)
    osm = [row for row in rows if row["data_source"] == "openstreetmap"]
    assert osm and all(row["licence"] == "ODbL-1.0" for row in osm)


@pytest.mark.parametrize(
    "params",
    [{"district": "Jashore"}, {"upazila": "Satkhira Sadar"}, {"category": "health,legal_aid"}],
)
async def test_filters_are_the_lists(client: AsyncClient, params: dict[str, str]) -> None:
    rows = _rows(await client.get("/export/services.csv", params=params))
    assert rows
    assert {row["id"] for row in rows} == await listed_ids(client, **params)


@pytest.mark.parametrize(
    "params", [{"district": "Atlantis"}, {"category": "astrology"}, {"upazila": ""}]
)
async def test_unknown_values_are_the_lists_problems(
    client: AsyncClient, params: dict[str, str]
) -> None:
    expected = await problem(client, "/services", **params)
    got = await problem(client, "/export/services.csv", **params)
    assert {k: v for k, v in got.items() if k != "instance"} == {
        k: v for k, v in expected.items() if k != "instance"
    }


async def test_no_confidential_location_nor_inactive_service(
    client: AsyncClient, session: AsyncSession
) -> None:
    hidden = await make_hidden(session)
    response = await client.get("/export/services.csv")
    rows = {row["id"]: row for row in _rows(response)}
    assert str(hidden.inactive.id) not in rows
    # services stay (they are public), their safe homes do not
    assert str(hidden.mixed.id) in rows and str(hidden.sheltered.id) in rows
    assert rows[str(hidden.mixed.id)]["district"]
    assert rows[str(hidden.sheltered.id)]["district"] == ""
    text = response.content.decode("utf-8-sig")
    assert not [secret for secret in hidden.secrets if secret in text]
