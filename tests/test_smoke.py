"""The API answers from the seeded test database."""

from httpx import AsyncClient


async def test_root_names_the_hsds_version(client: AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.json()["version"] == "3.0"
