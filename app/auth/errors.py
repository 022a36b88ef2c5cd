"""Errors of authentication and authorisation."""

from app.core.errors import AppError


class NotAuthenticated(AppError):
    status = 401
    code = "not-authenticated"

    def __init__(self, detail: str = "Sign in first: send a valid bearer token.",
                 detail_bn: str = "আগে সাইন ইন করুন: বৈধ বেয়ারার টোকেন পাঠান।") -> None:  # fmt: skip
        super().__init__(detail, detail_bn)


class InvalidCredentials(AppError):
    status = 401
    code = "invalid-credentials"

    def __init__(self) -> None:
        super().__init__("Wrong email or password.", "ইমেইল বা পাসওয়ার্ড ভুল।")


class TooManyAttempts(AppError):
    status = 429
    code = "too-many-attempts"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
