"""A search page links to its list printed and to the directory's data, with the search's place
and kind (never its words) and in the page's language; each link answers with its document."""

from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import AsyncClient

from tests.portal.test_pages import page

DOCUMENTS = {
    "/print/directory.pdf": "application/pdf",
    "/print/hotline-card.pdf": "application/pdf",
    "/export/services.csv": "text/csv",
    "/export/services.geojson": "application/geo+json",
    "/export/hsds-datapackage.zip": "application/zip",
}


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ("Print this list", "Download the data")), ("bn", ("এই তালিকা ছাপুন", "তথ্য ডাউনলোড"))],
)
async def test_a_search_links_to_its_print_and_data(
    client: AsyncClient, lang: str, words: tuple[str, str]
) -> None:
    response, parsed = await page(
        client, "/find", lang=lang, district="Jashore", category="legal_aid", search="lawyer"
    )

    assert all(word in response.text for word in words)
    for path in DOCUMENTS:
        (href,) = parsed.hrefs(path + "?")
        query = parse_qs(urlsplit(href).query)
        assert query["district"] == ["Jashore"] and query["category"] == ["legal_aid"]
        assert "search" not in query
        assert query.get("lang") == ([lang] if path.startswith("/print/") else None)


async def test_each_link_answers_with_its_document(client: AsyncClient) -> None:
    _, parsed = await page(client, "/find", lang="bn", district="Jashore")

    for path, media_type in DOCUMENTS.items():
        (href,) = parsed.hrefs(path + "?")
        answer = await client.get(href)
        assert answer.status_code == 200, (href, answer.text[:300])
        assert answer.headers["content-type"].startswith(media_type), href
    licences = await client.get(parsed.hrefs("/export/licences")[0])
    assert licences.status_code == 200 and "ODbL" in licences.text


async def test_a_page_without_results_offers_no_download(client: AsyncClient) -> None:
    response, parsed = await page(client, "/find", lang="en", search="zzzqqqxxyy nothing here")

    assert "Download the data" not in response.text
    assert not parsed.hrefs("/export/")
