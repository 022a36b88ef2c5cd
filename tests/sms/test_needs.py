"""The need of a text message, in Bangla and English, any case and order, with a typo."""

import pytest

from app.sms.needs import read


@pytest.mark.parametrize(
    ("message", "need", "rest", "lang"),
    [
        ("LEGAL KALAROA", "legal_aid", ("kalaroa",), "en"),
        ("kalaroa legal", "legal_aid", ("kalaroa",), "en"),
        ("Lawyer  Kalaroa", "legal_aid", ("kalaroa",), "en"),
        ("LAWYR kalaroa", "legal_aid", ("kalaroa",), "en"),
        ("HELTH jashore", "health", ("jashore",), "en"),
        ("doctor, Jhikargacha", "health", ("jhikargacha",), "en"),
        ("আইন কলারোয়া", "legal_aid", ("কলারোয়া",), "bn"),
        ("কলারোয়া আইন", "legal_aid", ("কলারোয়া",), "bn"),
        ("স্বাস্থ্য যশোর", "health", ("যশোর",), "bn"),
        ("SHELTER", "shelter", (), "en"),
        ("police sharsha", "law_enforcement", ("sharsha",), "en"),
        ("JOB satkhira", "employment_migration", ("satkhira",), "en"),
        ("child kalaroa", "child_protection", ("kalaroa",), "en"),
        ("kalaroa", None, ("kalaroa",), "en"),
    ],
)
def test_need_and_place_words(
    message: str, need: str | None, rest: tuple[str, ...], lang: str
) -> None:
    words = read(message)

    assert (words.need, words.rest, words.lang) == (need, rest, lang)
    assert not words.asks_help and not words.asks_more


def test_a_zero_width_joiner_does_not_hide_a_word() -> None:
    assert read("আইন\u200c কলারোয়া").need == "legal_aid"


@pytest.mark.parametrize("message", ["", "   ", "HELP", "help?", "সাহায্য"])
def test_help_or_nothing_asks_how_to_ask(message: str) -> None:
    assert read(message).asks_help


@pytest.mark.parametrize("message", ["MORE", "more", "আরও"])
def test_more_asks_for_the_next_results(message: str) -> None:
    words = read(message)

    assert words.asks_more and words.need is None and not words.asks_help


def test_a_short_word_needs_its_exact_spelling() -> None:
    # "low" is one letter from "law", but short words allow no typo: it is a place word
    assert read("low kalaroa").need is None


# য় precomposed (U+09DF), and য + nukta
@pytest.mark.parametrize(
    "shelter", ["\u0986\u09b6\u09cd\u09b0\u09df", "\u0986\u09b6\u09cd\u09b0\u09af\u09bc"]
)
def test_either_spelling_of_ya_with_nukta_is_the_same_word(shelter: str) -> None:
    words = read(f"{shelter} আইনগত সহায়তা")

    assert words.need == "shelter" and words.rest == ()
