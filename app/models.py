"""Imports every ORM module of the app so that `Base.metadata` knows its tables; alembic compares
them, with the search tables of `search.models.SearchBase.metadata`, to the migrations."""

from app.audit import models as audit_models
from app.auth import models as auth_models
from app.directory import models as directory_models
from app.gazetteer import models as gazetteer_models
from app.referrals import models as referral_models
from app.sms import models as sms_models

__all__ = [
    "audit_models",
    "auth_models",
    "directory_models",
    "gazetteer_models",
    "referral_models",
    "sms_models",
]
