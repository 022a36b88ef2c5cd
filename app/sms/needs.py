"""The need in a text message: the category words and their everyday synonyms, in Bangla and
English, any case, with one typo allowed in a longer word (as people type on a keypad)."""

import re
from dataclasses import dataclass

from app.portal.i18n import Lang
from search.text import search_key

# category code -> the words that ask for it (matching form: casefolded, NFC)
NEED_WORDS: dict[str, tuple[str, ...]] = {
    "legal_aid": (
        "legal", "law", "lawyer", "advocate", "court", "আইন", "আইনগত", "উকিল", "আইনজীবী",
    ),
    "health": (
        "health", "doctor", "hospital", "clinic", "medical", "স্বাস্থ্য", "ডাক্তার", "হাসপাতাল",
    ),
    "shelter": ("shelter", "home", "আশ্রয়"),
    "counselling": ("counselling", "counseling", "counsel", "কাউন্সেলিং", "পরামর্শ"),
    "law_enforcement": ("police", "thana", "পুলিশ", "থানা"),
    "skills_training": ("training", "ttc", "প্রশিক্ষণ"),
    "employment_migration": (
        "job", "jobs", "work", "migration", "bmet", "demo", "চাকরি", "কাজ", "অভিবাসন",
    ),
    "child_protection": ("child", "children", "শিশু"),
}  # fmt: skip
# in the form a message is matched in (NFC keeps য় as য + nukta: it is a composition exclusion)
NEED_WORDS = {code: tuple(map(search_key, names)) for code, names in NEED_WORDS.items()}
HELP_WORDS = frozenset(map(search_key, ("help", "?", "সাহায্য", "সহায়তা")))
MORE_WORDS = frozenset(map(search_key, ("more", "next", "আরও", "আরো")))
_SPLIT = re.compile(r"[\s,.;:!?।|/]+")
_BENGALI = re.compile("[\u0980-\u09ff]")


@dataclass(frozen=True)
class Words:
    """A message taken apart: its language, the need it names, and the words left for a place."""

    lang: Lang  # "bn" when the message has any Bangla letter, else "en"
    need: str | None
    rest: tuple[str, ...]
    asks_help: bool
    asks_more: bool


def words_of(message: str) -> list[str]:
    return [word for word in _SPLIT.split(search_key(message)) if word]


def _near(word: str, candidate: str) -> bool:
    """Equal, or one edit apart when both are at least 5 letters long (LAWYR, HELTH, SHELTR)."""
    if word == candidate:
        return True
    if min(len(word), len(candidate)) < 5 or abs(len(word) - len(candidate)) > 1:
        return False
    if len(word) == len(candidate):
        return sum(a != b for a, b in zip(word, candidate, strict=True)) == 1
    short, long = sorted((word, candidate), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _exact_need(word: str) -> str | None:
    return next((code for code, names in NEED_WORDS.items() if word in names), None)


def need_of(word: str) -> str | None:
    """The category a word asks for: exact words first, then one typo away."""
    if exact := _exact_need(word):
        return exact
    for code, names in NEED_WORDS.items():
        if any(_near(word, name) for name in names):
            return code
    return None


def read(message: str) -> Words:
    """The need (the first word that names one), in any order with the place's words."""
    words = words_of(message)
    need = None
    rest: list[str] = []
    for word in words:
        # a second need word is no place word either; a near miss counts only for the first
        found = need_of(word) if need is None else _exact_need(word)
        if found:
            need = need or found
        elif word not in HELP_WORDS and word not in MORE_WORDS:
            rest.append(word)
    return Words(
        lang="bn" if _BENGALI.search(message) else "en",
        need=need,
        rest=tuple(rest),
        asks_help=not words or (need is None and not rest and bool(HELP_WORDS & set(words))),
        asks_more=bool(MORE_WORDS & set(words)) and need is None and not rest,
    )
