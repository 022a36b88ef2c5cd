"""Replies fit in two SMS, counted exactly, however long the names: the helpline always fits."""

from app.sms.lookup import Provider
from app.sms.replies import all_helplines, results, with_helpline
from app.sms.segments import count, fits

LONG_BN = "পাচার থেকে বেঁচে ফেরা ব্যক্তিদের জন্য আইনি সহায়তা ও পুনর্বাসন কেন্দ্র"
LONG_EN = "Legal support for trafficking survivors and their families in every upazila"


def test_bangla_results_fit_two_ucs2_parts() -> None:
    providers = [Provider(LONG_BN, "01711000000", "কলারোয়া")] * 6

    reply = results(
        "bn", heading="আইনগত সহায়তা, কলারোয়া:", providers=providers, start=0, helpline="16430"
    )

    parts = count(reply.text)
    assert parts.encoding == "ucs-2" and parts.segments == 2 and parts.units <= 134
    assert reply.text.endswith("হেল্পলাইন 16430")
    assert "আরও জানতে MORE লিখুন।" in reply.text
    assert reply.shown == len(reply.text.splitlines()) - 3
    assert "…" in reply.text  # the long names are cut, and say so


def test_one_result_always_goes_out() -> None:
    huge = Provider(LONG_BN * 3, "01711000000", LONG_BN)

    reply = results(
        "bn", heading="আইনগত সহায়তা, কলারোয়া:", providers=[huge, huge], start=0, helpline="16430"
    )

    assert reply.shown == 1 and fits(reply.text) and reply.text.endswith("হেল্পলাইন 16430")


def test_english_stays_gsm7_when_a_name_is_cut() -> None:
    providers = [Provider(LONG_EN, None, "Kalaroa")] * 8

    reply = results(
        "en", heading="Legal aid, Kalaroa:", providers=providers, start=0, helpline="16430"
    )

    parts = count(reply.text)
    assert parts.encoding == "gsm-7" and parts.segments == 2 and parts.units <= 306
    assert "..." in reply.text and "MORE for more." in reply.text


def test_no_more_hint_on_the_last_results() -> None:
    providers = [Provider("RRF", None, "Sharsha"), Provider("CWCS", "01711000000", None)]

    reply = results("en", heading="Shelter, Sharsha:", providers=providers, start=1, helpline="109")

    assert reply.text == "Shelter, Sharsha:\n2. CWCS, 01711000000\nHelpline 109"
    assert reply.shown == 1


def test_a_long_message_is_cut_before_its_helpline() -> None:
    reply = with_helpline("bn", LONG_BN * 4, "109")

    assert fits(reply.text) and reply.text.endswith("\nহেল্পলাইন 109")


def test_helplines_with_what_they_are_for() -> None:
    reply = all_helplines("bn", "কিছু পাওয়া যায়নি। ফোন:", ["999", "109", "1098", "16430", "333"])

    assert reply.text.splitlines()[1:] == [
        "999 জরুরি",
        "109 নারী ও শিশু",
        "1098 শিশু",
        "16430 আইনি সহায়তা",
        "333 তথ্য",
    ]
    assert fits(reply.text)
