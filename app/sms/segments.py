"""How many SMS a reply costs, counted as the network counts it.

A message in the GSM 7-bit default alphabet (3GPP TS 23.038) holds 160 characters, or 153 per
part once split (the concatenation header takes 7); the characters of its extension table
(`{ } [ ] ~ \\ | ^ €` and form feed) take two places each. Anything else, Bangla included, is
sent as UCS-2: 70 UTF-16 code units, or 67 per part.
"""

from dataclasses import dataclass
from typing import Literal

# the GSM 03.38 default alphabet, basic table (the escape itself, 0x1B, is not a character)
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# its extension table: each is sent as the escape and one more septet
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

Encoding = Literal["gsm-7", "ucs-2"]
LIMITS: dict[Encoding, tuple[int, int]] = {"gsm-7": (160, 153), "ucs-2": (70, 67)}


@dataclass(frozen=True)
class Count:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character is in its alphabet, else UCS-2."""
    return "gsm-7" if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text) else "ucs-2"


def count(text: str) -> Count:
    """The encoding, length and number of SMS parts of `text` (an empty text is one SMS)."""
    encoding = encoding_of(text)
    if encoding == "gsm-7":
        units = sum(2 if c in GSM_EXTENSION else 1 for c in text)
    else:
        units = len(text.encode("utf-16-le")) // 2
    single, part = LIMITS[encoding]
    segments = 1 if units <= single else -(-units // part)
    return Count(encoding, units, segments)


def fits(text: str, segments: int = 2) -> bool:
    """Whether `text` goes in at most `segments` SMS parts."""
    return count(text).segments <= segments
