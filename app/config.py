"""Settings, read once at the edge (CLI, server, tests) and passed down; never a global."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALLY_", env_file=".env", extra="ignore")

    # External PostgreSQL; when unset, Tally starts an embedded PostgreSQL in ``data_dir``.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    data_dir: Path = Path(platformdirs.user_data_dir("tally"))
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"
    db_pool_size: int = 10
    api_key_cache_seconds: float = 5.0
    # GraphQL guards
    max_query_depth: int = 10
    # Metering: how far back an event may be dated, and how far ahead (clock skew).
    backdating_days: int = 7
    future_skew_seconds: int = 300

    @property
    def graphiql(self) -> bool:
        return self.environment != "production"
