"""Settings from the environment through typed helpers that fail at start-up on a bad value."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off (got {raw!r})")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r})") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum} (got {value})")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_header(name: str) -> str | None:
    """An HTTP header's name (X-Forwarded-Proto) as Django finds it in a request (HTTP_X_FORWARDED_PROTO),
    or None when the variable is unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", raw):
        raise ImproperlyConfigured(f"{name} must be an HTTP header's name such as X-Forwarded-Proto (got {raw!r})")
    return "HTTP_" + raw.upper().replace("-", "_")


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default.resolve()


def secret_key(name: str, data_dir: Path) -> str:
    """The key from the environment, else one generated once and kept in the data folder."""
    from_env = os.environ.get(name)
    if from_env:
        if len(from_env) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long")
        return from_env
    path = data_dir / "secret_key"
    if not path.exists():
        from django.utils.crypto import get_random_string

        data_dir.mkdir(parents=True, exist_ok=True)
        # Created readable by its owner only, before anything is written into it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(get_random_string(64))
    return path.read_text(encoding="utf-8").strip()


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def env_time_zone(name: str, default: str) -> str:
    import zoneinfo

    value = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a time zone name such as Europe/London (got {value!r})") from None
    return value


def env_database(name: str) -> dict[str, Any] | None:
    """The database named by a URL (postgres://user@host:5432/db), or None when the variable is unset."""
    import dj_database_url

    raw = os.environ.get(name, "")
    if not raw:
        return None
    if not raw.startswith(("postgres://", "postgresql://", "sqlite://")):
        scheme = raw.split("://")[0] + "://..." if "://" in raw else "no scheme"
        raise ImproperlyConfigured(f"{name} must be a postgres:// or sqlite:// URL (got {scheme})")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a database URL we can read: {error}") from None
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
    return config


# Django's SQLite backend with the audit trail's triggers handled on flush (prpath.project.sqlite).
SQLITE_ENGINE = "prpath.project.sqlite"
