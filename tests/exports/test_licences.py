"""`GET /export/licences`: LICENSES.md, the attributions of every source in English and Bangla."""

from httpx import AsyncClient

from app.exports.licences import SOURCES


async def test_every_source_in_both_languages(client: AsyncClient) -> None:
    response = await client.get("/export/licences")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    assert 'filename="LICENSES.md"' in response.headers["content-disposition"]
    text = response.text
    for en, bn in SOURCES:
        assert f"- {en}" in text and f"- {bn}" in text
    for licence in ("CC BY-SA 4.0", "CC BY 3.0 IGO", "MIT", "ODbL 1.0"):
        assert licence in text
    assert "© OpenStreetMap contributors" in text and "ওপেনস্ট্রিটম্যাপ" in text


async def test_is_a_public_read(client: AsyncClient) -> None:
    response = await client.get("/export/licences", headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") == "*"
