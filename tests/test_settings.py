"""Settings: shipped defaults, environment overrides, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.settings import DEFAULT_CONFIG_FILE, SettingsError, load_settings

SESSION = "s%3A50c8fdb2-ffa9-4bb6-b9a3-ef21f0ed09ce.c2lnbmF0dXJl"


def test_shipped_defaults_load_without_any_environment() -> None:
    settings = load_settings({})
    assert settings.sync_interval_minutes == 15
    assert settings.timezone == "America/Toronto"
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("data/bridge.sqlite3")


def test_environment_overrides_the_shipped_file() -> None:
    settings = load_settings(
        {
            "BRIDGE_MARKETPLACE_URL": "https://marketplace.example.gc.ca/",
            "BRIDGE_MARKETPLACE_SESSION": SESSION,
            "BRIDGE_HTTP_CONCURRENCY": "3",
            "BRIDGE_DATABASE_URL": "postgresql+psycopg://bridge@db/bridge",
        }
    )
    assert settings.http_concurrency == 3
    assert settings.marketplace_api_url == "https://marketplace.example.gc.ca/api"
    assert settings.effective_database_url == "postgresql+psycopg://bridge@db/bridge"
    assert settings.session_cookie == SESSION


def test_the_session_is_accepted_decoded_or_with_its_cookie_name() -> None:
    for given in ("s:abc.def", "sid=s%3Aabc.def", "s%3Aabc.def"):
        settings = load_settings(
            {"BRIDGE_MARKETPLACE_URL": "https://m.test", "BRIDGE_MARKETPLACE_SESSION": given}
        )
        assert settings.session_cookie == "s%3Aabc.def"


def test_the_secret_never_shows_in_reprs_or_errors() -> None:
    settings = load_settings(
        {"BRIDGE_MARKETPLACE_URL": "https://m.test", "BRIDGE_MARKETPLACE_SESSION": SESSION}
    )
    assert "c2lnbmF0dXJl" not in repr(settings)
    assert "c2lnbmF0dXJl" not in str(settings.model_dump())
    with pytest.raises(SettingsError) as raised:
        load_settings({"BRIDGE_MARKETPLACE_SESSION": "plain-uuid-c2lnbmF0dXJl"})
    assert "c2lnbmF0dXJl" not in str(raised.value)
    assert "BRIDGE_MARKETPLACE_SESSION" in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BRIDGE_HTTP_CONCURRENCY", "0"),
        ("BRIDGE_HTTP_TIMEOUT_SECONDS", "soon"),
        ("BRIDGE_SYNC_INTERVAL_MINUTES", "-5"),
        ("BRIDGE_TIMEZONE", "Canada/Atlantis"),
        ("BRIDGE_MARKETPLACE_URL", "not a url"),
        ("BRIDGE_MARKETPLACE_URL", "https://m.example/api"),
        ("BRIDGE_LOG_LEVEL", "LOUD"),
    ],
)
def test_an_invalid_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value})


def test_an_unknown_variable_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="BRIDGE_SYNC_INTERVAL"):
        load_settings({"BRIDGE_SYNC_INTERVAL": "5"})


def test_missing_marketplace_settings_name_the_variable_when_needed() -> None:
    settings = load_settings({})
    with pytest.raises(SettingsError, match="BRIDGE_MARKETPLACE_URL is not set"):
        settings.require_marketplace()
    settings = load_settings({"BRIDGE_MARKETPLACE_URL": "https://m.test"})
    with pytest.raises(SettingsError, match="BRIDGE_MARKETPLACE_SESSION is not set"):
        settings.require_marketplace()


def test_a_secret_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text('marketplace_session = "s:abc.def"\n')
    with pytest.raises(SettingsError, match="environment instead"):
        load_settings({}, config_file=config)


def test_the_config_file_can_be_pointed_elsewhere(tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text("sync_interval_minutes = 5\n")
    assert load_settings({"BRIDGE_CONFIG_FILE": str(config)}).sync_interval_minutes == 5
    assert DEFAULT_CONFIG_FILE.exists()


@pytest.mark.parametrize(
    ("variable", "url", "accepted"),
    [
        ("BRIDGE_MARKETPLACE_URL", "https://marketplace.gc.ca", True),
        ("BRIDGE_MARKETPLACE_URL", "http://marketplace.gc.ca", False),
        ("BRIDGE_MARKETPLACE_URL", "http://127.0.0.1:3000", True),
        ("BRIDGE_MARKETPLACE_URL", "http://localhost:3000", True),
        ("BRIDGE_EXPORT_WEBHOOK_URL", "http://procurement.gc.ca/hook", False),
        ("BRIDGE_EXPORT_WEBHOOK_URL", "http://[::1]:8000/hook", True),
    ],
)
def test_plain_http_is_for_this_machine_only(variable: str, url: str, accepted: bool) -> None:
    if accepted:
        load_settings({variable: url})
        return
    with pytest.raises(SettingsError, match=f"{variable}.*https://"):
        load_settings({variable: url})


def test_smtp_credentials_need_starttls() -> None:
    settings = load_settings(
        {
            "BRIDGE_NOTIFIER": "smtp",
            "BRIDGE_SMTP_USERNAME": "bridge",
            "BRIDGE_SMTP_PASSWORD": "a password",
        }
    )
    with pytest.raises(SettingsError, match="BRIDGE_SMTP_STARTTLS"):
        settings.require_notifier()
    settings.model_copy(update={"smtp_starttls": True}).require_notifier()
