"""A text message in, the reply out: what it asks (`needs`), where (`places`), who provides it
there (`lookup`) and the words of the reply (`replies`). Every path ends in a reply with a
national helpline; none is silent."""

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from app.gazetteer.service import Place, find_places
from app.portal import views
from app.portal.i18n import Lang, Words
from app.sms import replies
from app.sms.lookup import providers
from app.sms.needs import read
from app.sms.places import place_of
from app.sms.replies import Reply, say
from search.backend import SearchBackend


@dataclass(frozen=True)
class Search:
    """What a sender last asked for, and how many results the replies have sent so far."""

    lang: Lang
    need: str | None = None
    place_pcode: str | None = None
    shown: int = 0


@dataclass(frozen=True)
class Answer:
    reply: Reply
    search: Search  # what this message asked (MORE: the search it goes on with)
    continued: bool = False  # MORE: no new question


def _name(place: Place, lang: Lang) -> str:
    return Words(lang).pick(place.name_en, place.name_bn)


async def _need_name(session: AsyncSession, need: str, lang: Lang) -> str:
    for category in await views.categories(session):
        if category.code == need:
            return Words(lang).pick(category.name_en, category.name_bn)
    return need


async def _results(
    session: AsyncSession,
    backend: SearchBackend,
    search: Search,
    place: Place,
    helplines: list[str],
) -> Answer:
    """The results of a need at a place, from `search.shown` on."""
    assert search.need is not None
    lang = search.lang
    found = await providers(session, backend, need=search.need, place=place, lang=lang)
    need_name = await _need_name(session, search.need, lang)
    if not found:
        need_name = need_name if lang == "bn" else need_name[:1].lower() + need_name[1:]
        lead = say(lang, "nothing_found", need=need_name, place=_name(place, lang))
        return Answer(replies.all_helplines(lang, lead, helplines), search)
    if search.shown >= len(found):
        return Answer(replies.all_helplines(lang, say(lang, "no_more"), helplines), search)
    reply = replies.results(
        lang,
        heading=say(lang, "results", need=need_name, place=_name(place, lang)),
        providers=found,
        start=search.shown,
        helpline=replies.helpline_for(search.need, helplines),
    )
    return Answer(reply, Search(lang, search.need, place.pcode, search.shown + reply.shown))


def _how_to_ask(lang: Lang, helplines: list[str]) -> Reply:
    text = say(lang, "how_to_ask", needs=replies.NEED_LIST[lang])
    return replies.with_helpline(lang, text, replies.helpline_for(None, helplines))


async def answer(
    session: AsyncSession, backend: SearchBackend, message: str, last: Search | None = None
) -> Answer:
    """The reply to `message`; `last` is the sender's previous search, which MORE goes on with."""
    words = read(message)
    helplines = [h.number for h in await views.helplines(session)]
    if words.asks_more:
        lang: Lang = "bn" if "bn" in (words.lang, last and last.lang) else "en"
        if last and last.need and last.place_pcode:
            places = await find_places(session, value=last.place_pcode)
            if places:
                search = Search(lang, last.need, last.place_pcode, last.shown)
                found = await _results(session, backend, search, places[0], helplines)
                return replace(found, continued=True)
        return Answer(_how_to_ask(lang, helplines), Search(lang))
    lang = words.lang
    if words.asks_help:
        return Answer(_how_to_ask(lang, helplines), Search(lang))
    place = await place_of(session, words.rest) if words.rest else None
    need = words.need
    pcode = place.pcode if place else None
    helpline = replies.helpline_for(need, helplines)
    if need and place:
        return await _results(session, backend, Search(lang, need, pcode), place, helplines)
    if need:
        key = "unknown_place" if words.rest else "ask_place"
        text = say(
            lang,
            key,
            need=await _need_name(session, need, lang),
            word=replies.need_word(need, lang),
        )
        return Answer(replies.with_helpline(lang, text, helpline), Search(lang, need))
    if place:
        text = say(lang, "list_needs", place=_name(place, lang), needs=replies.NEED_LIST[lang])
        return Answer(replies.with_helpline(lang, text, helpline), Search(lang, None, pcode))
    return Answer(_how_to_ask(lang, helplines), Search(lang))
