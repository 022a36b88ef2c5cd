"""The API answers from the seeded test database."""

from httpx import AsyncClient


async def test_root_names_the_hsds_version(client: AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.json()["version"] == "3.0"


async def test_the_openapi_description_covers_every_part(client: AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/services",
        "/services/{service_id}",
        "/auth/token",
        "/organizations/{organization_id}/history",
        "/corrections",
        "/audit-events",
        "/users",
        "/mous",
        "/referrals/{referral_id}/transitions",
        "/reports/referrals",
    ):
        assert path in paths, path
