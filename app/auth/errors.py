"""Errors of authentication, authorisation and account management."""

from app.core.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
    TooManyRequests,
    Unauthorized,
)

__all__ = [
    "AccountNotManaged",
    "DistrictsOnlyForDistrictAdmins",
    "EmailTaken",
    "Forbidden",
    "InvalidCredentials",
    "NoSuchOrganization",
    "NotAuthenticated",
    "OwnAccount",
    "RoleNeedsDistricts",
    "TokenExpired",
    "TokenInvalid",
    "TokenRevoked",
    "TooManyAttempts",
    "TooManySignIns",
    "UnstorableCharacter",
    "UserNotFound",
]


class NotAuthenticated(Unauthorized):
    """No bearer token, or one that cannot be used."""


class TokenExpired(NotAuthenticated):
    en = "The token has expired; sign in again."
    bn = "টোকেনের মেয়াদ শেষ; আবার সাইন ইন করুন।"


class TokenInvalid(NotAuthenticated):
    en = "The token is not valid."
    bn = "টোকেনটি বৈধ নয়।"


class TokenRevoked(NotAuthenticated):
    en = "The token is no longer valid; sign in again."
    bn = "টোকেনটি আর বৈধ নয়; আবার সাইন ইন করুন।"


class InvalidCredentials(Unauthorized):
    code = "invalid-credentials"
    en = "Wrong email or password."
    bn = "ইমেইল বা পাসওয়ার্ড ভুল।"


class TooManyAttempts(TooManyRequests):
    code = "too-many-attempts"


class TooManySignIns(TooManyAttempts):
    en = "Too many failed sign-ins for this account from this client; wait up to {minutes} minutes."
    bn = "এই ক্লায়েন্ট থেকে এই অ্যাকাউন্টে অনেকবার ভুল সাইন-ইন; সর্বোচ্চ {minutes} মিনিট অপেক্ষা করুন।"


class UnstorableCharacter(InvalidField):
    en = "contains a character that cannot be stored (NUL)"
    bn = "সংরক্ষণ করা যায় না এমন অক্ষর আছে"


class AccountNotManaged(Forbidden):
    en = "Your role does not allow managing this account."
    bn = "আপনার ভূমিকায় এই অ্যাকাউন্ট পরিচালনার অনুমতি নেই।"


class OwnAccount(Forbidden):
    en = "You cannot change your own account; ask another admin."
    bn = "নিজের অ্যাকাউন্ট নিজে বদলানো যায় না; অন্য একজন অ্যাডমিনকে বলুন।"


class EmailTaken(Conflict):
    code = "email-taken"
    en = "There is an account for {email} already."
    bn = "{email} এর অ্যাকাউন্ট আগেই আছে।"


class UserNotFound(NotFound):
    en = "No user with id {user_id}."
    bn = "{user_id} আইডির কোনো ব্যবহারকারী নেই।"


class InvalidAccountReference(InvalidField):
    """A body field of an account names a record or place that does not exist, or clashes."""

    code = "invalid-reference"


class NoSuchOrganization(InvalidAccountReference):
    field = "organization_id"
    en = "no such organization"
    bn = "এমন কোনো সংস্থা নেই"


class DistrictsOnlyForDistrictAdmins(InvalidAccountReference):
    field = "districts"
    en = "district admins, and only they, are given districts"
    bn = "শুধু জেলা অ্যাডমিনদের জেলা দেওয়া হয়"


class RoleNeedsDistricts(InvalidAccountReference):
    field = "role"
    en = "district admins, and only they, have districts"
    bn = "শুধু জেলা অ্যাডমিনদের জেলা থাকে"
