"""Text normalisation shared by writes, the loader and queries (rule: NFC, no zero-width
joiners)."""

import re
import unicodedata

# Zero-width non-joiner / joiner, zero-width space, soft hyphen, BOM, word joiner.
# Control characters go too: PostgreSQL text cannot hold NUL and none of them is ever meant.
_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\u200c\u200d\u200b\u00ad\ufeff\u2060"),
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        0x7F,
    ]
)
_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
# Unicode white space, spelled out so that the SQL function can list the same characters
_SPACE = re.compile("[\t\n\r\x0b\x0c \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def clean_text(value: str) -> str:
    """Stored form of user-facing text: NFC, invisible joiners removed, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return _SPACE.sub(" ", value).strip()


def search_key(value: str) -> str:
    """Matching form of text, the one both search backends index and query: `clean_text`
    (NFC, no zero-width joiners, whitespace collapsed), Bangla digits as ASCII digits, casefolded.

    Mirrors the SQL function `search_normalize` created by the migrations (a test compares them).
    """
    folded = clean_text(value).translate(_BANGLA_DIGITS).replace("\u2019", "'").casefold()
    return unicodedata.normalize("NFC", folded)


_WORD = re.compile(r"\w+")


def search_words(value: str) -> list[str]:
    """The words of a search in its matching form; none means the search cannot match anything."""
    return _WORD.findall(search_key(value))
