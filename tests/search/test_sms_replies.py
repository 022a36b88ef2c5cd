"""The same SMS question gets the same reply from either search backend (the committed test
directory's index of this suite's `meili_index`)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.sms.answer import answer
from search.meili import MeiliSearch, make_search_http
from search.postgres import PostgresSearch
from tests.search.conftest import MEILI_API_KEY, MEILI_URL, NO_MEILI


@pytest.mark.parametrize(
    "message",
    [
        "LEGAL KALAROA",
        "আইন কলারোয়া",
        "HEALTH JASHORE",
        "স্বাস্থ্য যশোর",
        "health jhikargacha",
        "JOB SATKHIRA",
        "SHELTER BANDARBAN",
    ],
)
async def test_both_backends_give_one_reply(
    session: AsyncSession, meili_index: str, message: str
) -> None:
    assert MEILI_URL is not None, NO_MEILI
    async with make_search_http(MEILI_URL, MEILI_API_KEY, 10) as http:
        meili = await answer(session, MeiliSearch(http, meili_index), message)
    postgres = await answer(session, PostgresSearch(session), message)

    assert meili.reply == postgres.reply, (meili.reply.text, postgres.reply.text)
    assert meili.reply.shown == postgres.reply.shown
