"""Every setting in one place, read from ``LEDGER_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./ledger.db",
        description="sqlite:///PATH (embedded, the default), postgresql://user:pass@host:port/db, "
        "or memory:// (tests)",
    )
    policy: str = Field(
        default="baohe-2020",
        description="The policy a new ledger adopts first: a shipped pack's name or a file path",
    )
    projector: Literal["in-process", "external"] = Field(
        default="in-process",
        description="in-process: the API keeps the read models up to date itself (the "
        "embedded default); external: a separate 'ledger project' process does (PostgreSQL "
        "deployments with several API processes)",
    )
    read_wait_seconds: float = Field(
        default=2.0,
        description="How long a report waits for the read models to reach the writes "
        "recorded before it was asked",
    )
    auth_failure_limit: int = Field(
        default=10,
        ge=0,
        description="Failed authentications allowed per client address (and per presented "
        "token) within the window before answering 429; counted per API process; 0 turns "
        "the limit off",
    )
    auth_failure_window_seconds: float = Field(
        default=60.0,
        gt=0,
        description="The sliding window of auth_failure_limit, in seconds",
    )
    encryption_key: str | None = Field(
        default=None,
        description="Encrypt every event at rest (AES-GCM) with this base64 key of 16, 24 or "
        "32 bytes ('ledger encryption-key' makes one). Chosen when the ledger is created: "
        "the same key must be given to every process, always",
        repr=False,
    )
    console_idle_minutes: float = Field(
        default=30,
        gt=0,
        description="A console session without a request for this long ends (idle timeout)",
    )
    console_session_hours: float = Field(
        default=12,
        gt=0,
        description="A console session ends this long after sign-in, however busy (absolute "
        "lifetime)",
    )
    console_trust_proxy: bool = Field(
        default=False,
        description="Believe X-Forwarded-Proto (a TLS-terminating proxy in front) when deciding "
        "whether the console's cookies are marked Secure; only behind such a proxy",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    aggregate_cache_size: int = 10_000
    postgres_pool_size: int = 10


@lru_cache
def get_settings() -> Settings:
    return Settings()
