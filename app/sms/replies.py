"""The replies, in the question's language, each within two SMS counted as the network counts
them (`segments`), and each ending with a national helpline: a reply is never empty."""

from collections.abc import Sequence
from dataclasses import dataclass

from app.portal.i18n import Lang
from app.sms.lookup import Provider
from app.sms.segments import fits

SEGMENTS = 2
# the longest name a result line keeps (a Bangla name costs one UCS-2 unit per letter)
NAME_LENGTH = {"en": 40, "bn": 26}
# what marks a cut: "…" is no GSM-7 character, and one would make an English reply UCS-2
CUT = {"en": "...", "bn": "…"}
BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")

# (English, Bangla); numbers stay in ASCII digits in both, so that a phone can dial them
TEXT: dict[str, tuple[str, str]] = {
    "how_to_ask": (
        "Send what you need and where, e.g. LEGAL KALAROA. Needs: {needs}.",
        "কী দরকার ও কোথায় লিখুন, যেমন: আইন কলারোয়া।",
    ),
    "ask_place": (
        "{need}: where? Send the need and a union, upazila or district, e.g. {word} KALAROA.",
        "{need}: কোথায়? জায়গার নাম দিয়ে লিখুন, যেমন: {word} কলারোয়া।",
    ),
    "unknown_place": (
        "{need}: place not found. Send a union, upazila or district, e.g. {word} KALAROA.",
        "{need}: জায়গা পাওয়া যায়নি। ইউনিয়ন, উপজেলা বা জেলার নাম লিখুন।",
    ),
    "list_needs": (
        "{place}: what do you need? Send e.g. LEGAL {place}. Needs: {needs}.",
        "{place}: কী দরকার? লিখুন, যেমন: আইন {place}। বিষয়: {needs}।",
    ),
    "results": ("{need}, {place}:", "{need}, {place}:"),
    "nothing_found": ("No {need} found near {place}. Call:", "{place}: {need} পাওয়া যায়নি। ফোন:"),
    "no_more": ("No more results. Call:", "আর নেই। ফোন:"),
    "more": ("MORE for more.", "আরও জানতে MORE লিখুন।"),
    "limited": ("Too many messages; try again in an hour.", "অনেক বার্তা; এক ঘণ্টা পরে লিখুন।"),
    "helpline": ("Helpline {number}", "হেল্পলাইন {number}"),
}
# the needs a person can name, in the words the reply suggests
NEED_LIST = {
    "en": "LEGAL HEALTH SHELTER COUNSEL POLICE TRAINING JOB CHILD",
    "bn": "আইন, স্বাস্থ্য, আশ্রয়, পরামর্শ, পুলিশ, প্রশিক্ষণ, চাকরি, শিশু",
}
# the word of each need a reply suggests ("LEGAL KALAROA")
NEED_WORD = {
    "legal_aid": ("LEGAL", "আইন"),
    "health": ("HEALTH", "স্বাস্থ্য"),
    "shelter": ("SHELTER", "আশ্রয়"),
    "counselling": ("COUNSEL", "পরামর্শ"),
    "law_enforcement": ("POLICE", "পুলিশ"),
    "skills_training": ("TRAINING", "প্রশিক্ষণ"),
    "employment_migration": ("JOB", "চাকরি"),
    "child_protection": ("CHILD", "শিশু"),
}
# what each national helpline is for, in a word or two (the numbers come from the directory)
HELPLINE_LABEL = {
    "109": ("women & children", "নারী ও শিশু"),
    "999": ("emergency", "জরুরি"),
    "1098": ("child", "শিশু"),
    "16430": ("legal aid", "আইনি সহায়তা"),
    "333": ("information", "তথ্য"),
}
# the helpline that goes with a need (109, against violence to women and children, otherwise)
NEED_HELPLINE = {"legal_aid": "16430", "child_protection": "1098", "law_enforcement": "999"}
DEFAULT_HELPLINE = "109"


@dataclass(frozen=True)
class Reply:
    text: str
    shown: int = 0  # how many of the providers it names


def say(lang: Lang, key: str, **values: str) -> str:
    en, bn = TEXT[key]
    return (bn if lang == "bn" else en).format(**values)


def need_word(need: str, lang: Lang) -> str:
    en, bn = NEED_WORD.get(need, (need.upper(), need))
    return bn if lang == "bn" else en


def helpline_for(need: str | None, helplines: Sequence[str]) -> str | None:
    """The helpline of the need, if the directory has it; else its first national helpline."""
    wanted = NEED_HELPLINE.get(need or "", DEFAULT_HELPLINE)
    if wanted in helplines:
        return wanted
    return helplines[0] if helplines else None


def _helpline_line(lang: Lang, number: str | None) -> str:
    return say(lang, "helpline", number=number) if number else ""


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _cut(lang: Lang, text: str, tail: str = "") -> str:
    """`text`, cut at a word and marked so, until it fits in two SMS followed by `tail`."""
    mark = CUT[lang]
    while text and not fits(_join(text, tail), SEGMENTS):
        cut = text.removesuffix(mark).rstrip().rfind(" ")
        text = text[:cut].rstrip(" ,;:") + mark if cut > 0 else ""
    return text


def with_helpline(lang: Lang, text: str, number: str | None) -> Reply:
    """A message and the helpline line after it; the message is cut, the helpline never is."""
    line = _helpline_line(lang, number)
    return Reply(_join(_cut(lang, text, line), line))


def all_helplines(lang: Lang, lead: str, helplines: Sequence[str]) -> Reply:
    """`lead` and as many national helplines, each with what it is for, as two SMS hold."""
    lines = []
    for number in helplines:
        en, bn = HELPLINE_LABEL.get(number, ("", ""))
        lines.append(f"{number} {bn if lang == 'bn' else en}".strip())
    text = _cut(lang, lead, lines[0] if lines else "")
    for line in lines:
        if not fits(_join(text, line), SEGMENTS):
            break
        text = _join(text, line)
    return Reply(text)


def _short(name: str, lang: Lang) -> str:
    limit, mark = NAME_LENGTH[lang], CUT[lang]
    return name if len(name) <= limit else name[: limit - len(mark)].rstrip(" ,") + mark


def _line(index: int, provider: Provider, lang: Lang) -> str:
    parts = [_short(provider.name, lang), provider.phone, provider.area]
    number = str(index).translate(BANGLA_DIGITS) if lang == "bn" else str(index)
    return f"{number}. " + ", ".join(part for part in parts if part)


def results(
    lang: Lang,
    *,
    heading: str,
    providers: Sequence[Provider],
    start: int,
    helpline: str | None,
) -> Reply:
    """The providers from `start` on, as many as two SMS hold with the heading, the MORE hint
    (while more remain) and the helpline; the first one always, its name cut if need be."""
    more, call = say(lang, "more"), _helpline_line(lang, helpline)
    waiting = providers[start:]
    lines: list[str] = []
    for index, provider in enumerate(waiting):
        candidate = [*lines, _line(start + index + 1, provider, lang)]
        tail = _join(more if len(candidate) < len(waiting) else "", call)
        if not fits(_join(heading, *candidate, tail), SEGMENTS):
            break
        lines = candidate
    if not lines and waiting:
        tail = _join(more if len(waiting) > 1 else "", call)
        first = _line(start + 1, waiting[0], lang)
        return Reply(_join(_cut(lang, _join(heading, first), tail), tail), 1)
    tail = _join(more if len(lines) < len(waiting) else "", call)
    return Reply(_join(heading, *lines, tail), len(lines))
