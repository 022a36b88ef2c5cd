"""What a referral's free text and case reference may not hold: a way to reach the survivor."""

import re

from app.core.errors import Rule

_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
# digits with at most one space, dash, dot or bracket between them, as numbers are written
_DIGIT_RUN = re.compile(r"\+?\d(?:[ \-.()]?\d)+")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _is_phone_number(digits: str) -> bool:
    """Bangladeshi numbers: mobiles 01[3-9] + 8 digits, landlines 0 + area code + number
    (9 to 11 digits), either with the country code 880."""
    national = "0" + digits.removeprefix("880") if digits.startswith("880") else digits
    if re.fullmatch(r"01[3-9]\d{8}", national):
        return True
    return national.startswith("0") and 9 <= len(national) <= 11


def phone_number_in(text: str) -> bool:
    """Whether `text` (in Bangla or ASCII digits) holds something that looks like a phone number."""
    for run in _DIGIT_RUN.findall(text.translate(_BANGLA_DIGITS)):
        digits = re.sub(r"\D", "", run)
        if _is_phone_number(digits):
            return True
    return False


def email_in(text: str) -> bool:
    """Whether `text` holds something that looks like an email address."""
    return _EMAIL.search(text) is not None


def refuse_contact_details(value: str) -> str:
    """A validator for a referral's free text: no phone numbers and no email addresses."""
    if phone_number_in(value):
        raise Rule(
            "looks like it holds a phone number: a referral never carries a way to reach the "
            "survivor; the provider calls the referring caseworker",
            "এতে একটি ফোন নম্বর আছে বলে মনে হচ্ছে: রেফারেলে কখনো সারভাইভারের সঙ্গে যোগাযোগের "
            "উপায় থাকে না; প্রদানকারী রেফারকারী কেসওয়ার্কারকে ফোন করেন",
        )
    if email_in(value):
        raise Rule(
            "looks like it holds an email address: a referral never carries a way to reach the "
            "survivor",
            "এতে একটি ইমেইল ঠিকানা আছে বলে মনে হচ্ছে: রেফারেলে কখনো সারভাইভারের সঙ্গে যোগাযোগের উপায় থাকে না",
        )
    return value


def refuse_identifying_case_ref(value: str) -> str:
    """A validator for a case reference: it may not be a phone number."""
    digits = re.sub(r"\D", "", value.translate(_BANGLA_DIGITS))
    if _is_phone_number(digits) or phone_number_in(value):
        raise Rule(
            "looks like a phone number; use your organization's case number",
            "ফোন নম্বরের মতো দেখাচ্ছে; আপনার সংস্থার কেস নম্বর দিন",
        )
    return value
