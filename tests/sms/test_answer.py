"""Questions by SMS against the seed directory: Bangla and English, typos, spellings of places,
each path's reply, and the order of the results (in the place first, then nearest)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.search_engine import search_backend
from app.gazetteer.service import find_places
from app.portal.i18n import Lang
from app.sms.answer import Answer, Search, answer
from app.sms.lookup import providers
from app.sms.needs import read
from app.sms.places import place_of
from app.sms.segments import count, fits

NATIONAL = ("109", "999", "1098", "16430", "333")


async def ask(session: AsyncSession, message: str, last: Search | None = None) -> Answer:
    found = await answer(session, search_backend(session), message, last)
    assert fits(found.reply.text), found.reply.text  # two SMS at most, always
    assert any(number in found.reply.text for number in NATIONAL)  # a helpline, always
    return found


@pytest.mark.parametrize(
    ("message", "first_line", "provider"),
    [
        ("LEGAL KALAROA", "Legal aid, Kalaroa:", "District Legal Aid Office, Satkhira"),
        ("legal kalaroa", "Legal aid, Kalaroa:", "District Legal Aid Office, Satkhira"),
        ("kalaroa LAWYER", "Legal aid, Kalaroa:", "District Legal Aid Office, Satkhira"),
        ("LAWYR KOLAROA", "Legal aid, Kalaroa:", "District Legal Aid Office, Satkhira"),
        ("আইন কলারোয়া", "আইনগত সহায়তা, কলারোয়া:", "সাতক্ষীরা সদর"),
        ("কলারোয়া উকিল", "আইনগত সহায়তা, কলারোয়া:", "সাতক্ষীরা সদর"),
        ("HEALTH JESSORE", "Health care, Jashore:", "Jhikargacha"),
        ("doctor jashore", "Health care, Jashore:", "Jhikargacha"),
        ("স্বাস্থ্য যশোর", "স্বাস্থ্যসেবা, যশোর:", "ঝিকরগাছা"),
        ("HELTH jhikargacha", "Health care, Jhikargacha:", "Jhikargacha"),
        ("JOB JASHORE", "Employment and safe migration, Jashore:", "Rights Jessore"),
    ],
)
async def test_a_need_and_a_place(
    session: AsyncSession, message: str, first_line: str, provider: str
) -> None:
    found = await ask(session, message)

    lines = found.reply.text.splitlines()
    assert lines[0] == first_line
    assert provider in found.reply.text
    assert found.reply.shown >= 1 and found.search.shown == found.reply.shown
    assert lines[-1] in ("Helpline 16430", "Helpline 109", "হেল্পলাইন 16430", "হেল্পলাইন 109")


async def test_the_reply_is_in_the_language_of_the_question(session: AsyncSession) -> None:
    english, bangla = await ask(session, "LEGAL KALAROA"), await ask(session, "আইন কলারোয়া")

    assert (english.search.lang, count(english.reply.text).encoding) == ("en", "gsm-7")
    assert (bangla.search.lang, count(bangla.reply.text).encoding) == ("bn", "ucs-2")
    assert bangla.reply.text.splitlines()[1].startswith("১. ")


async def test_a_union_is_a_place(session: AsyncSession) -> None:
    (union,) = await find_places(session, value="Jogikhali", level="union")

    found = await ask(session, "legal jogikhali")

    assert found.search.place_pcode == union.pcode
    assert found.reply.text.startswith("Legal aid, Jogikhali:")


async def test_results_in_the_place_come_first_then_the_nearest(session: AsyncSession) -> None:
    place = await place_of(session, read("jhikargacha").rest)
    assert place is not None

    found = await providers(session, search_backend(session), need="health", place=place, lang="en")

    areas = [p.area for p in found]
    inside = areas.index(next(a for a in areas if a != "Jhikargacha"))
    assert inside >= 2 and set(areas[:inside]) == {"Jhikargacha"}
    assert "Jhikargacha" not in areas[inside:]
    assert len({p.name for p in found}) == len(found)  # one line per organization


@pytest.mark.parametrize(
    ("message", "lang"), [("", "en"), ("HELP", "en"), ("সাহায্য", "bn"), ("?", "en")]
)
async def test_help_answers_how_to_ask(session: AsyncSession, message: str, lang: Lang) -> None:
    found = await ask(session, message)

    assert found.search == Search(lang)
    expected = "LEGAL KALAROA" if lang == "en" else "আইন কলারোয়া"
    assert expected in found.reply.text


async def test_nonsense_answers_how_to_ask(session: AsyncSession) -> None:
    found = await ask(session, "zzqx blorp")

    assert "Send what you need and where" in found.reply.text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("SHELTER", "Shelter: where?"),
        ("আশ্রয়", "আশ্রয়: কোথায়?"),
        ("police atlantis", "Police and law enforcement: place not found."),
    ],
)
async def test_a_need_without_a_place_asks_for_the_place(
    session: AsyncSession, message: str, expected: str
) -> None:
    found = await ask(session, message)

    assert found.reply.text.startswith(expected) and found.reply.shown == 0


@pytest.mark.parametrize(
    ("message", "expected"),
    [("kalaroa", "Kalaroa: what do you need?"), ("কলারোয়া", "কলারোয়া: কী দরকার?")],
)
async def test_a_place_without_a_need_lists_the_needs(
    session: AsyncSession, message: str, expected: str
) -> None:
    found = await ask(session, message)

    assert found.reply.text.startswith(expected)
    assert ("POLICE" if found.search.lang == "en" else "পুলিশ") in found.reply.text
    assert found.search.place_pcode is not None and found.search.need is None


async def test_nothing_found_answers_with_the_national_helplines(session: AsyncSession) -> None:
    found = await ask(session, "SHELTER BANDARBAN")

    lines = found.reply.text.splitlines()
    assert lines[0] == "No shelter found near Bandarban. Call:"
    assert [line.split()[0] for line in lines[1:]] == ["999", "109", "1098", "16430", "333"]


async def test_bangla_nothing_found(session: AsyncSession) -> None:
    found = await ask(session, "আশ্রয় বান্দরবান")

    assert found.reply.text.startswith("বান্দরবান: আশ্রয় পাওয়া যায়নি।")
    assert "16430" in found.reply.text


async def test_more_goes_on_where_the_last_reply_stopped(session: AsyncSession) -> None:
    first = await ask(session, "HEALTH JASHORE")
    more = await ask(session, "MORE", first.search)
    bangla_more = await ask(session, "আরও", more.search)

    assert more.continued and more.search.shown == first.reply.shown + more.reply.shown
    first_number = f"{first.reply.shown + 1}. "
    assert more.reply.text.splitlines()[1].startswith(first_number)
    assert set(first.reply.text.splitlines()[1:-2]).isdisjoint(more.reply.text.splitlines()[1:-2])
    assert bangla_more.search.lang == "bn" and bangla_more.reply.text.startswith("স্বাস্থ্যসেবা, যশোর:")


async def test_more_after_the_last_result(session: AsyncSession) -> None:
    found = await ask(session, "LEGAL KALAROA")

    done = await ask(session, "MORE", found.search)

    assert done.reply.text.startswith("No more results. Call:")


async def test_more_without_a_search_answers_how_to_ask(session: AsyncSession) -> None:
    assert "LEGAL KALAROA" in (await ask(session, "MORE")).reply.text
    assert "আইন কলারোয়া" in (await ask(session, "MORE", Search("bn"))).reply.text
