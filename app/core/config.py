"""Typed settings, read once from the environment (prefix-free names, `.env` supported)."""

import ipaddress
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/referral"
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-elsewhere"  # noqa: S105  (refused outside development)


class Settings(BaseSettings):
    """Service configuration; every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # the address clients use, in `GET /`, links and webhooks; unset: where `directory serve`
    # listens (http://SERVER_HOST:SERVER_PORT), which is right in development only
    public_base_url: str | None = None
    default_radius_km: float = Field(default=50.0, gt=0, le=1000)
    max_radius_km: float = Field(default=1000.0, gt=0)
    search_backend: Literal["postgres", "meilisearch"] = "postgres"
    meili_url: str | None = None
    meili_api_key: str | None = None
    meili_index: str = Field(default="services", pattern=r"^[A-Za-z0-9_-]{1,200}$")
    # a search waits this long for Meilisearch before answering from PostgreSQL, and after a
    # failure PostgreSQL answers alone for `meili_retry_seconds`
    meili_timeout_seconds: int = Field(default=2, ge=1, le=60)
    meili_retry_seconds: float = Field(default=10.0, ge=0)
    # how often the API's worker applies the search outbox to Meilisearch (0: not at all, e.g.
    # when `directory search-sync` runs as its own process)
    search_sync_interval_seconds: float = Field(default=1.0, ge=0)
    gzip_minimum_size: int = 500
    # level 9 (Starlette's default) costs several times the CPU of 5 for a few percent smaller
    # pages; search pages are compressed on every request
    gzip_level: int = Field(default=5, ge=1, le=9)

    # accounts and tokens
    secret_key: str = DEVELOPMENT_SECRET
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_failure_limit: int = Field(default=10, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    # browser origins allowed to call authenticated endpoints (public reads allow any origin)
    cors_origins: list[str] = []
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    correction_limit_per_hour: int = Field(default=5, ge=1)

    # referrals
    referral_default_sla_hours: int = Field(
        default=72, ge=1, description="Answer time outside an MoU."
    )
    referral_retention_months: int = Field(
        default=24, ge=1, description="Closed referrals keep case data this long."
    )
    expiry_interval_minutes: int = Field(
        default=15, ge=0, description="0 turns the expiry job off."
    )
    referral_outcome_days: int = Field(
        default=30, ge=1, description="Days after acceptance before an open referral is overdue."
    )

    @field_validator("database_url")
    @classmethod
    def use_psycopg3(cls, value: str) -> str:
        """Accept plain `postgresql://` URLs and run them through psycopg 3."""
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def real_secret_outside_development(self) -> "Settings":
        """Outside development a guessable signing secret would let anyone forge tokens."""
        if self.environment != "development" and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least 32 characters outside "
                "development, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return self

    @model_validator(mode="after")
    def meilisearch_needs_a_url(self) -> "Settings":
        """The Meilisearch backend cannot be chosen without saying where Meilisearch is."""
        if self.search_backend == "meilisearch" and not self.meili_url:
            raise ValueError("SEARCH_BACKEND=meilisearch needs MEILI_URL")
        return self

    # the portal (`/find`, `/embed`): the national helplines every page keeps in view (numbers
    # as the directory has them), who may frame `/embed` (a CSP frame-ancestors source list; the
    # directory is public, so anyone), and the district whose directory the pages keep for
    # offline use when a search names none (pcode or name; none: only the pages seen)
    portal_helplines: list[str] = ["999", "109", "1098", "16430", "333"]
    portal_frame_ancestors: str = Field(default="*", pattern=r"^[^;,\r\n]+$")
    portal_district: str | None = None

    # the SMS lookup (`POST /sms/inbound/{gateway}`): each gateway's shared secret (JSON object,
    # e.g. `{"telerivet": "...", "smssync": "..."}`; a gateway without one is off, 404), how many
    # messages a number may send an hour, how long a sender's keyed hash and its last search are
    # kept (48 h outlasts android-sms-gateway's retries, about 45 h, so a late retry is not
    # answered twice), and how far around the place a reply looks past the place itself
    sms_gateway_secrets: dict[str, str] = {}
    sms_limit_per_hour: int = Field(default=5, ge=1, le=1000)
    sms_forget_after_hours: int = Field(default=48, ge=1, le=24 * 90)
    sms_radius_km: float = Field(default=30.0, gt=0, le=300)
    # android-sms-gateway ignores a webhook's answer: replies go to its send API (the phone's
    # local server, e.g. http://192.168.1.20:8080/message, or the cloud's
    # https://api.sms-gate.app/3rdparty/v1/messages) with its user name and password
    sms_android_send_url: str | None = None
    sms_android_username: str | None = None
    sms_android_password: str | None = None

    # webhooks are posted only to public internet addresses, except to these host names or
    # CIDRs (JSON list, e.g. `["hooks.internal", "10.20.0.0/16"]`): a receiver on our own network
    webhook_allowed_hosts: list[str] = []

    # the server (`directory serve`, app/server.py): where it listens, with how many processes,
    # and the limits of its front door
    server_host: str = "127.0.0.1"
    server_port: int = Field(default=8000, ge=0, le=65535)
    web_concurrency: int = Field(default=1, ge=1, le=64)
    # request line and headers together above this get 431 and the connection is closed; the
    # server stops reading there, so a huge header costs no memory
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    # the request line and headers must arrive within this (408), the body within
    # `request_body_timeout_seconds` of them (408), and a keep-alive connection closes after
    # `keep_alive_timeout_seconds` without a new request: slow clients cannot hold connections
    request_header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    request_body_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    keep_alive_timeout_seconds: int = Field(default=5, ge=1, le=600)
    # comma list of the reverse proxies (addresses or networks) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; empty: nobody's, the client is the peer of the connection
    forwarded_allow_ips: str = ""
    # the alembic.ini of the migrations shipped with the app (alembic's own variable); default:
    # the one beside the source tree, else the working directory's
    alembic_config: str | None = None

    @field_validator("forwarded_allow_ips")
    @classmethod
    def addresses_or_networks(cls, value: str) -> str:
        """Only IP addresses and networks: a typo must not silently trust nobody or everybody."""
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"FORWARDED_ALLOW_IPS: {item!r} is not an IP address or network "
                    "(name the reverse proxy, e.g. 172.30.89.10 or 10.0.0.0/24)"
                ) from None
        return ",".join(items)

    @property
    def base_url(self) -> str:
        """The one public base URL, without a trailing slash: PUBLIC_BASE_URL, else the
        address the server listens on (a wildcard host read as 127.0.0.1)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        wildcard = self.server_host in ("", "0.0.0.0", "::")  # noqa: S104 (read, not bound)
        host = "127.0.0.1" if wildcard else self.server_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.server_port}"

    @property
    def trusted_proxies(self) -> list[str]:
        """`forwarded_allow_ips` as a list (empty: trust nobody)."""
        return self.forwarded_allow_ips.split(",") if self.forwarded_allow_ips else []


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
