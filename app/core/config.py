"""Typed settings, read once from the environment (prefix-free names, `.env` supported)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/referral"


class Settings(BaseSettings):
    """Service configuration; every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = Field(default=10, ge=1, le=200)
    public_base_url: str = "http://127.0.0.1:8000"
    default_radius_km: float = Field(default=50.0, gt=0, le=1000)
    max_radius_km: float = Field(default=1000.0, gt=0)
    search_backend: Literal["postgres", "meilisearch"] = "postgres"
    meili_url: str | None = None
    meili_api_key: str | None = None
    gzip_minimum_size: int = 500
    # level 9 (Starlette's default) costs several times the CPU of 5 for a few percent smaller
    # pages; search pages are compressed on every request
    gzip_level: int = Field(default=5, ge=1, le=9)

    @field_validator("database_url")
    @classmethod
    def use_psycopg3(cls, value: str) -> str:
        """Accept plain `postgresql://` URLs and run them through psycopg 3."""
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
