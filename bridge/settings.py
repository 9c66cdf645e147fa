"""The bridge's one typed settings object.

Read once at start-up from the shipped defaults in ``config/bridge.toml`` and ``BRIDGE_*``
environment variables (which win), then passed down. Nothing deeper in the code reads the
environment, so a test or a second process can build its own ``Settings`` without side effects.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "bridge.toml"
# The official OCDS 1.1.5 schema files and code lists, shipped so that validation never needs
# the network or a download step.
OCDS_SCHEMA_DIR = PROJECT_ROOT / "config" / "reference" / "ocds-1.1"
ENV_PREFIX = "BRIDGE_"
# Which TOML file to read; the only variable of the prefix that is not a setting itself.
CONFIG_FILE_VARIABLE = f"{ENV_PREFIX}CONFIG_FILE"
SECRET_FIELDS = frozenset(
    {
        "marketplace_session",
        "secret_key",
        "audit_key",
        "oidc_client_secret",
        "smtp_password",
        "gc_notify_api_key",
        "export_webhook_secret",
    }
)


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the environment variable to fix."""


SinkName = Literal["directory", "webhook", "email"]


def _directory_only() -> list[SinkName]:
    return ["directory"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def env_name(field: str) -> str:
    """The environment variable that sets ``field``: what an operator must be told to fix."""
    return f"{ENV_PREFIX}{field.upper()}"


class Settings(BaseModel):
    """Everything the bridge can be told, with its defaults and its validation.

    A plain model: ``load_settings`` merges the file and the environment itself, so that it can
    refuse secrets in files and name unknown variables, and the model validates only what it is
    given (pydantic-settings' own sources went unused, and importing it cost every command a
    fifth of a second).
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
        validate_default=True,
    )

    marketplace_url: AnyHttpUrl | None = None
    marketplace_session: SecretStr | None = Field(default=None, repr=False)
    database_url: str = ""
    data_dir: Path = Path("data")
    sync_interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    full_refresh_hours: int = Field(default=24, ge=1)
    recheck_open_minutes: int = Field(default=60, ge=0)
    sync_writer_process: bool = True
    http_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    http_concurrency: int = Field(default=8, ge=1, le=64)
    http_max_attempts: int = Field(default=5, ge=1, le=20)
    http_backoff_base_seconds: float = Field(default=0.5, ge=0)
    http_backoff_max_seconds: float = Field(default=30.0, ge=0)
    timezone: str = "America/Toronto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Panel
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # One process runs one thread of Python at a time: a process per core serves the most pages.
    panel_processes: int = Field(default=2, ge=1, le=32)
    panel_threads: int = Field(default=4, ge=1, le=64)
    # Signs the panel's session cookies; when unset, one is generated once into the data dir.
    secret_key: SecretStr | None = Field(default=None, repr=False, min_length=32)
    # The key of the audit chain's HMACs: kept outside the database, which must not be able to
    # recompute the chain (generated into the data directory when not set).
    audit_key: SecretStr | None = Field(default=None, repr=False)
    # How many proxies in front of the panel to trust for X-Forwarded-* (HTTPS, client address).
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    default_language: Literal["en", "fr"] = "en"
    page_size: int = Field(default=25, ge=5, le=200)
    # Sign-in through the department's OpenID Connect provider.
    oidc_enabled: bool = False
    oidc_metadata_url: AnyHttpUrl | None = None
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr | None = Field(default=None, repr=False)
    # The panel's public address, for the links in notifications.
    panel_url: AnyHttpUrl | None = None

    # Approvals
    # Publish on the marketplace as soon as the last step is approved; off, an administrator
    # publishes from the panel.
    approvals_auto_publish: bool = True
    # Before publishing, write the opportunity in both official languages on the marketplace.
    approvals_bilingual_copy: bool = True
    # Cancel, with an explanatory note, an opportunity published without a completed approval.
    approvals_cancel_unapproved: bool = False
    # Remind the approvers of a step still waiting after this many working days (0 = never).
    approvals_reminder_working_days: int = Field(default=2, ge=0, le=60)

    # Contracts and payment
    # Remind finance this many days before a payment falls due (0 = never).
    payment_reminder_days: int = Field(default=5, ge=0, le=30)
    # Remind certifiers of work waiting this many days for a section 34 decision (0 = never).
    acceptance_reminder_days: int = Field(default=5, ge=0, le=30)
    # Warn of an opportunity closing within this many hours with no proposal yet (0 = never).
    closing_warning_hours: int = Field(default=48, ge=0, le=336)
    # Warn of an award with no contract after this many working days (0 = never).
    contract_warning_working_days: int = Field(default=5, ge=0, le=60)

    # Outcomes
    # Send each fiscal quarter's aggregate outcome figures (open data) through the export sinks.
    outcomes_open_data: bool = False

    # Notifications
    notifier: Literal["log", "smtp", "gc-notify"] = "log"
    notification_max_attempts: int = Field(default=6, ge=1, le=50)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr | None = Field(default=None, repr=False)
    smtp_sender: str = "gc-bridge@localhost"
    smtp_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    gc_notify_api_url: AnyHttpUrl = AnyHttpUrl("https://api.notification.canada.ca")
    gc_notify_api_key: SecretStr | None = Field(default=None, repr=False)
    # The e-mail template every message uses unless ``gc_notify_templates`` names one for its
    # kind; GC Notify fills ((subject)) and ((body)) (both languages in each) and the named fields.
    gc_notify_template_id: str = ""
    gc_notify_templates: dict[str, str] = Field(default_factory=dict)

    # Award export
    # Where each award record goes: "directory", "webhook", "email" (any of them).
    export_sinks: list[SinkName] = Field(default_factory=_directory_only)
    export_directory: Path = Path("data/exports")
    export_webhook_url: AnyHttpUrl | None = None
    export_webhook_secret: SecretStr | None = Field(default=None, repr=False)
    export_email_recipients: list[str] = Field(default_factory=list)
    export_max_attempts: int = Field(default=8, ge=1, le=50)
    export_interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # The OCDS prefix registered for the publisher (ocds-xxxxxx), and the publisher's name.
    ocds_prefix: str = Field(default="ocds-gcbrdg", pattern=r"^ocds-[a-z0-9]{6}$")
    ocds_publisher: str = "Government of Canada"
    # The publisher's organization identifier (scheme from org-id.guide, e.g. CA-GOV, and uid)
    # and web address, when registered: OCDS readers match publishers by them.
    ocds_publisher_scheme: str = ""
    ocds_publisher_uid: str = ""
    ocds_publisher_uri: AnyHttpUrl | None = None
    # The licence of the published data, and the publication policy's address.
    ocds_license: AnyHttpUrl | None = AnyHttpUrl(
        "https://open.canada.ca/en/open-government-licence-canada"
    )
    ocds_publication_policy: AnyHttpUrl | None = None
    # Where the packages are published: the address of the folder holding
    # release-package.json and record-package.json. Unset, the panel's /ocds/ (with PANEL_URL).
    ocds_packages_url: AnyHttpUrl | None = None
    # The panel serves the packages at /ocds/ for open-data harvesters, without sign-in.
    ocds_endpoint_enabled: bool = True
    # The OCDS 1.1 schema directory every release is validated against before delivery: the
    # shipped official 1.1.5 schema unless another version is named.
    ocds_schema_dir: Path = OCDS_SCHEMA_DIR

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("marketplace_session")
    @classmethod
    def _signed_cookie(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = unquote(value.get_secret_value().strip())
        if raw.startswith("sid="):
            raw = raw[len("sid=") :]
        if not raw.startswith("s:") or "." not in raw:
            raise ValueError(
                "expected the signed 'sid' cookie value of the marketplace (it starts with "
                "'s:' or 's%3A'); an unsigned session id is ignored by the marketplace"
            )
        return SecretStr(raw)

    @field_validator("export_sinks", "export_email_recipients", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        """From the environment, a list comes comma-separated: ``directory,webhook``."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("gc_notify_templates", mode="before")
    @classmethod
    def _templates_from_json(cls, value: Any) -> Any:
        """From the environment, the map comes as JSON: ``{"step_awaiting": "<uuid>"}``."""
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"expected a JSON object of kind to template id ({exc})") from exc
        return value

    @field_validator("marketplace_url")
    @classmethod
    def _no_api_suffix(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and str(value).rstrip("/").endswith("/api"):
            raise ValueError("give the marketplace's base URL, without the trailing /api")
        return value

    @field_validator("marketplace_url", "export_webhook_url")
    @classmethod
    def _https_unless_loopback(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        """The marketplace session cookie and signed award records cross the network: over
        HTTPS, or plain HTTP to this machine only (a sidecar, a test double)."""
        if value is not None and value.scheme != "https" and not is_loopback(value.host or ""):
            raise ValueError("use https:// (plain http:// is accepted for this machine only)")
        return value

    # Derived values -------------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bridge.sqlite3').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        """The time zone times are shown in."""
        return ZoneInfo(self.timezone)

    @property
    def marketplace_api_url(self) -> str:
        """``<marketplace>/api``: every client call is relative to it."""
        self.require_marketplace()
        return f"{str(self.marketplace_url).rstrip('/')}/api"

    @property
    def session_cookie(self) -> str:
        """The ``sid`` cookie value exactly as the marketplace expects it (URL-encoded)."""
        self.require_marketplace()
        assert self.marketplace_session is not None
        return quote(self.marketplace_session.get_secret_value(), safe="")

    @property
    def panel_is_https(self) -> bool:
        return self.panel_url is not None and self.panel_url.scheme == "https"

    def panel_secret(self) -> str:
        """The cookie-signing key: from the environment, or generated once and kept on disk."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return self._kept_secret("secret_key")

    def audit_secret(self) -> str:
        """The audit chain's key: from the environment, or generated once and kept on disk."""
        if self.audit_key is not None:
            return self.audit_key.get_secret_value()
        return self._kept_secret("audit_key")

    def _kept_secret(self, name: str) -> str:
        """A random key generated once into the data directory, readable by its owner alone
        from the moment it exists (created exclusively with mode 0600, in a 0700 directory)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.data_dir / name
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def require_oidc(self) -> None:
        if self.oidc_metadata_url is None or not self.oidc_client_id or self.panel_url is None:
            raise SettingsError(
                f"{env_name('oidc_enabled')} is on but {env_name('oidc_metadata_url')}, "
                f"{env_name('oidc_client_id')} and {env_name('panel_url')} (the panel's public "
                "address, which the provider sends users back to) are not all set."
            )

    def require_notifier(self) -> None:
        """Stop with a clear message when the chosen notifier lacks what it needs."""
        if self.notifier == "gc-notify" and (
            self.gc_notify_api_key is None or not self.gc_notify_template_id
        ):
            raise SettingsError(
                f"{env_name('notifier')} is gc-notify but {env_name('gc_notify_api_key')} and "
                f"{env_name('gc_notify_template_id')} are not both set."
            )
        if self.notifier == "smtp" and self.smtp_username and not self.smtp_starttls:
            raise SettingsError(
                f"{env_name('smtp_username')} is set but {env_name('smtp_starttls')} is off: "
                "the SMTP password would cross the network in clear. Turn STARTTLS on."
            )

    def require_export_sinks(self) -> None:
        """Stop with a clear message when a chosen sink lacks what it needs."""
        if "webhook" in self.export_sinks and (
            self.export_webhook_url is None or self.export_webhook_secret is None
        ):
            raise SettingsError(
                f"{env_name('export_sinks')} includes webhook but "
                f"{env_name('export_webhook_url')} and {env_name('export_webhook_secret')} are "
                "not both set."
            )
        if "email" in self.export_sinks and not self.export_email_recipients:
            raise SettingsError(
                f"{env_name('export_sinks')} includes email but "
                f"{env_name('export_email_recipients')} is empty."
            )

    def require_marketplace(self) -> None:
        """Stop with a clear message when a command needs the marketplace and it is not set."""
        if self.marketplace_url is None:
            raise SettingsError(
                f"{env_name('marketplace_url')} is not set: give the base URL of the marketplace "
                "(for example https://marketplace.example.gc.ca)."
            )
        if self.marketplace_session is None:
            raise SettingsError(
                f"{env_name('marketplace_session')} is not set: give the signed 'sid' cookie of "
                "an ADMIN account on the marketplace (environment only, never in a file)."
            )


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from exc
    leaked = SECRET_FIELDS & values.keys()
    if leaked:
        names = ", ".join(sorted(env_name(name) for name in leaked))
        raise SettingsError(f"{path} holds a secret; set {names} in the environment instead.")
    return values


def load_settings(
    environ: dict[str, str] | None = None,
    config_file: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings, turning any validation error into a ``SettingsError``.

    ``environ`` defaults to the process environment; ``BRIDGE_CONFIG_FILE`` there can point at
    another defaults file. Explicit ``overrides`` win over everything (tests use them).
    """
    env = dict(os.environ if environ is None else environ)
    path = config_file or Path(env.get(CONFIG_FILE_VARIABLE, DEFAULT_CONFIG_FILE))
    file_values = _read_config_file(path)
    env_values = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX) and key != CONFIG_FILE_VARIABLE
    }
    unknown = sorted(set(env_values) - set(Settings.model_fields))
    if unknown:
        raise SettingsError("unknown setting(s): " + ", ".join(env_name(name) for name in unknown))
    values = {**file_values, **env_values, **overrides}
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        lines.append(f"{env_name(field)}: {item['msg']}")
    return "invalid settings: " + "; ".join(lines)
