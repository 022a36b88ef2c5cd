"""Imports every ORM module so that `Base.metadata` knows all tables (used by alembic)."""

from app.directory import models as directory_models
from app.gazetteer import models as gazetteer_models

__all__ = ["directory_models", "gazetteer_models"]
