"""Settings, read once at the edge (CLI, server, tests) and passed down; never a global."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    # At most this many verified API keys are cached per process (least recently used go
    # first); keys that matched nothing are never cached.
    api_key_cache_size: int = Field(default=10_000, ge=0)
    # Signs customer tokens and portal links. Required (32+ characters) in production; in
    # development a random one is generated once and kept in the data folder.
    secret_key: SecretStr | None = None
    customer_token_ttl_seconds: int = 3600
    # Browser origins (scheme://host[:port]) allowed to call /graphql and /v1/events (CORS),
    # to open GraphQL websockets and the console's socket.io. Comma-separated or a JSON list;
    # empty (the default): no other origin.
    allowed_origins: Annotated[list[str], NoDecode] = []
    # GraphQL limits, checked before any resolver runs (README, "Security"): the body of a
    # request or websocket message, the document's length and tokens, fields nested below a
    # root field, aliases, root fields, selections once fragments are expanded, the estimated
    # cost (fields times the lists they sit in), and operations in flight on one websocket.
    graphql_max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    graphql_max_document_chars: int = Field(default=16_384, ge=1024)
    graphql_max_tokens: int = Field(default=1_000, ge=100)
    graphql_max_depth: int = Field(default=10, ge=1)
    graphql_max_aliases: int = Field(default=30, ge=0)
    graphql_max_root_fields: int = Field(default=20, ge=1)
    graphql_max_selections: int = Field(default=1_000, ge=10)
    graphql_max_cost: int = Field(default=20_000, ge=10)
    graphql_max_socket_operations: int = Field(default=100, ge=1)
    # Metering: how far back an event may be dated, and how far ahead (clock skew).
    backdating_days: int = 7
    future_skew_seconds: int = 300
    # Credits over time (README, "Credits over time"): expiry notices this many days ahead,
    # runway alerts when the credits last fewer days than the threshold at the burn rate of
    # the window. Each wallet may set its own (``setCreditNotices``).
    expiry_notice_days: list[int] = [30, 7, 1]
    runway_threshold_days: int = Field(default=7, ge=1)
    runway_window_days: int = Field(default=7, ge=1)
    # Email over SMTP. Without a host, messages are rendered and recorded (status "recorded")
    # and shown in the console, never sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Tally <billing@localhost>"
    smtp_use_tls: bool = False  # implicit TLS (port 465); otherwise STARTTLS when offered
    smtp_timeout_seconds: float = 10.0
    # Who gets the operators' emails (recharge disabled, ...): comma-separated addresses.
    operator_emails: str = ""
    # Jobs (README, "The job lifecycle"): a job handed on and not done within its kind's
    # timeout (by actor name or domain, else the default) is handed on again; one started
    # ``job_max_runs`` times without finishing is dead. Failed runs wait 2^runs seconds, at most
    # ``job_max_retry_seconds``. The relay looks for due rows at least every
    # ``outbox_poll_seconds``.
    job_timeout_seconds: float = Field(default=60.0, gt=0)
    job_timeouts: dict[str, float] = {"payments": 30.0, "recharge": 30.0, "billing": 30.0}
    job_max_runs: int = Field(default=10, ge=1)
    job_max_retry_seconds: float = Field(default=300.0, gt=0)
    outbox_poll_seconds: float = Field(default=5.0, gt=0)
    # /ready says "degraded" when the oldest pending job is older than this.
    ready_backlog_seconds: float = Field(default=300.0, gt=0)
    # A pending auto-recharge that has no job left to move it on is failed after this long
    # (freeing the wallet's one-in-flight slot); one whose payment is still open is asked about.
    recharge_timeout_seconds: float = Field(default=300.0, gt=0)
    # An unsettled payment that no job will move on (its job gave up, or the provider never
    # answered) is asked about again after this long.
    payment_stale_seconds: float = Field(default=900.0, gt=0)
    # Worker pools of the embedded mode (``tally worker`` has options for them).
    embedded_threads: int = Field(default=2, ge=1)
    embedded_delivery_threads: int = Field(default=2, ge=1)
    # Webhook deliveries: how long one POST may take, and whether endpoints may be on loopback,
    # private, link-local or other non-public addresses (refused unless set).
    webhook_timeout_seconds: float = 10.0
    webhooks_allow_private: bool = False
    # Invoices: number series prefix ("TLY-000042") and net terms (days until due).
    invoice_prefix: str = "TLY"
    invoice_net_terms_days: int = Field(default=7, ge=0, le=365)
    # Documents (invoice PDFs): the seller printed on them — name, postal address (lines
    # separated by "\n" or "|"), tax id (VAT number, EIN), contact email (default: the
    # address of smtp_from) — the locale amounts and dates are written in (a customer's
    # metadata "locale" overrides it), and how long a signed PDF link (pdfUrl) works.
    seller_name: str = Field(default="Tally", min_length=1, max_length=200)
    seller_address: str = Field(default="", max_length=1000)
    seller_tax_id: str = Field(default="", max_length=100)
    seller_email: str = Field(default="", max_length=320)
    document_locale: str = "en_US"
    document_link_ttl_seconds: int = Field(default=300, ge=10, le=7 * 24 * 3600)
    # Payments: the provider new payment methods use unless told ("sandbox" or "stripe").
    payment_provider: str = "sandbox"
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = None  # another Stripe API address (a local fake in tests)
    # The sandbox's "pm_sandbox_late_fail" is accepted, then fails this many seconds later.
    sandbox_late_fail_seconds: int = 5
    # "pm_sandbox_slow" succeeds after this long; with a ledger file, the sandbox appends every
    # charge request to it (JSON lines), as a provider's list of charges.
    sandbox_slow_seconds: float = Field(default=2.0, ge=0)
    sandbox_ledger: Path | None = None
    # Auto-recharge guards: the default cooldown between two starts, and after how many
    # consecutive payment failures a rule disables itself.
    recharge_cooldown_seconds: int = Field(default=600, ge=0)
    recharge_max_failures: int = Field(default=3, ge=1)

    # The console: how long an operator stays logged in, and the address links (portal links)
    # are built on (default: http://<host>:<port>).
    console_session_hours: float = Field(default=12, gt=0, le=24 * 30)
    public_url: str | None = None
    portal_link_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=30, le=30 * 24 * 3600)
    # Console cookies carry `Secure` (sent over https only): default when public_url is https.
    console_secure_cookies: bool | None = None
    # Console login throttling: after this many failures in a row for one email (or from one
    # client address), each attempt waits for a delay that doubles from login_delay_seconds up
    # to login_delay_max_seconds; a success clears the email's count; failures older than
    # login_forget_after_seconds are forgotten.
    login_free_attempts: int = Field(default=5, ge=1)
    login_free_attempts_per_address: int = Field(default=20, ge=1)
    login_delay_seconds: float = Field(default=1.0, gt=0)
    login_delay_max_seconds: float = Field(default=15 * 60, gt=0)
    login_forget_after_seconds: float = Field(default=3600, gt=0)

    _signing_secret: str | None = PrivateAttr(default=None)

    @property
    def graphiql(self) -> bool:
        return self.environment != "production"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        if self.console_secure_cookies is not None:
            return self.console_secure_cookies
        return self.base_url.startswith("https://")

    @property
    def operator_addresses(self) -> list[str]:
        return [a.strip() for a in self.operator_emails.split(",") if a.strip()]

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """``https://a.example, https://b.example`` or a JSON list; each an exact origin."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if not isinstance(value, list):
            return value
        return [_origin(str(v)) for v in value if str(v).strip()]

    @model_validator(mode="after")
    def _safe_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value() if self.secret_key else ""
        if self.environment == "production" and len(secret) < 32:
            raise ValueError("TALLY_SECRET_KEY must be set to at least 32 characters in production")
        if secret and len(secret) < 16:
            raise ValueError("TALLY_SECRET_KEY is too short (at least 16 characters)")
        return self

    def signing_secret(self) -> str:
        """The secret key, or (outside production) one generated once into the data folder.
        Read once per Settings: callers sign and verify on every token and portal page."""
        if self._signing_secret is None:
            self._signing_secret = self._load_signing_secret()
        return self._signing_secret

    def _load_signing_secret(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(value: str) -> str:
    """``scheme://host[:port]`` as browsers send it in ``Origin`` (lowercase, no default port)."""
    try:
        parts = urlsplit(value.strip().rstrip("/"))
        port = parts.port
    except ValueError:
        port, parts = None, urlsplit("")
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host or parts.path or parts.query or parts.username:
        raise ValueError(f"allowed_origins: {value.strip()!r} is not an origin like https://host")
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")
