"""The referrals domain's errors."""

import uuid

from app.core.errors import AppError, InvalidField, NotFound


class PreconditionRequired(AppError):
    status = 428
    code = "precondition-required"


class PreconditionFailed(AppError):
    status = 412
    code = "precondition-failed"


class InvalidReferral(InvalidField):
    code = "invalid-referral"


def not_found(kind: str, record_id: uuid.UUID) -> NotFound:
    return NotFound(f"No {kind} with id {record_id}.", f"{record_id} আইডির কোনো {kind} নেই।")
