"""Text normalisation shared by writes, the loader and queries (rule: NFC, no zero-width joiners)."""

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
_SPACE = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Stored form of user-facing text: NFC, invisible joiners removed, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return _SPACE.sub(" ", value).strip()


def search_key(value: str) -> str:
    """Matching form of text: `clean_text`, lower case, Bangla digits as ASCII digits.

    Mirrors the SQL function `search_normalize` created by the migrations.
    """
    return clean_text(value).translate(_BANGLA_DIGITS).lower().replace("\u2019", "'")
