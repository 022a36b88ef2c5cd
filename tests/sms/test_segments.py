"""SMS parts counted exactly: GSM-7 160/153 (extension characters take two), UCS-2 70/67."""

import pytest

from app.sms.segments import count, fits


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "gsm-7", 0, 1),
        ("L" * 160, "gsm-7", 160, 1),
        ("L" * 161, "gsm-7", 161, 2),
        ("L" * 306, "gsm-7", 306, 2),
        ("L" * 307, "gsm-7", 307, 3),
        ("€" * 80, "gsm-7", 160, 1),  # an extension character is two septets
        ("[" * 81, "gsm-7", 162, 2),
        ("আ" * 70, "ucs-2", 70, 1),
        ("আ" * 71, "ucs-2", 71, 2),
        ("আ" * 134, "ucs-2", 134, 2),
        ("আ" * 135, "ucs-2", 135, 3),
        ("L" * 69 + "আ", "ucs-2", 70, 1),  # one Bangla letter makes the whole message UCS-2
        ("Call 109 ✓", "ucs-2", 10, 1),
    ],
)
def test_counts_as_the_network_does(text: str, encoding: str, units: int, segments: int) -> None:
    counted = count(text)

    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_a_bangla_reply_with_conjuncts_counts_code_units() -> None:
    reply = "আইনগত সহায়তা: জেলা লিগ্যাল এইড অফিস, কলারোয়া। জাতীয় হেল্পলাইন ১০৯"
    counted = count(reply)

    assert counted.encoding == "ucs-2"
    assert counted.units == len(reply)  # every Bangla code point is one UTF-16 unit
    assert counted.segments == 1 and fits(reply, 1)


def test_a_character_outside_the_basic_plane_takes_two_units() -> None:
    assert count("😀").units == 2
    assert not fits("😀" * 68, 1)
