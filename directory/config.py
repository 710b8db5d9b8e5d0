"""Configuration, read in one place: defaults, then the environment, then create_app(config).

Nothing here runs at import time, and nothing is written to disk unless it is really needed:
the secret key file only when no SECRET_KEY is given, the instance folder only when the
default SQLite database (or that key file) lives there. A test that passes its own settings
leaves the checkout untouched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path


def _env_bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(env: Mapping[str, str], name: str) -> list[str] | None:
    """A comma-separated variable as a list; None (not set) is different from an empty list."""
    value = env.get(name)
    if value is None or not value.strip():
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _secret_key(instance_path: str) -> str:
    """Generated once per instance and kept in instance/, so sessions survive a restart."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    os.makedirs(instance_path, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _database_url(url: str) -> str:
    # Hosting platforms still hand out postgres://, which SQLAlchemy 2 no longer accepts.
    if url.startswith("postgres://"):
        return "postgresql://" + url.removeprefix("postgres://")
    return url


def from_environment(env: Mapping[str, str] | None = None) -> dict:
    """Settings the environment gives (only those it sets, or whose default depends on it)."""
    env = os.environ if env is None else env
    base_url = env.get("BASE_URL", "http://127.0.0.1:5000")
    # Cookies only over HTTPS: on by default when the site's address is https://.
    secure = _env_bool(env, "SESSION_COOKIE_SECURE", default=base_url.startswith("https://"))
    settings = {
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool(env, "MAIL_USE_TLS"),
        "MAIL_USE_SSL": _env_bool(env, "MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Peerlink <noreply@peerlink.local>"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "10")),
        "MAP_TILE_URL": env.get(
            "MAP_TILE_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILE_ATTRIBUTION": env.get(
            "MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
        ),
        # Links in email sent from cron, where there is no request to take the host from.
        # Also decides HSTS: sent only when this is an https:// address.
        "BASE_URL": base_url,
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        # "Keep me signed in" lasts this long, and so does any sign-in on the server side.
        "REMEMBER_COOKIE_DURATION": timedelta(days=float(env.get("REMEMBER_COOKIE_DAYS", "30"))),
        "GEOCODER_ONLINE_FALLBACK": _env_bool(env, "GEOCODER_ONLINE_FALLBACK"),
        "GEOCODER_USER_AGENT": env.get("GEOCODER_USER_AGENT", "peerlink"),
        # How long an emailed invitation to answer an introduction (no account needed) works.
        "INVITATION_MAX_AGE": timedelta(days=float(env.get("INVITATION_MAX_DAYS", "14"))),
        # Rate limits are counted here: memory:// for one process, redis://host:6379 for several.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Host names this site answers to (Flask refuses any other Host header with a 400).
        "TRUSTED_HOSTS": _env_list(env, "TRUSTED_HOSTS"),
        # Each worker refits its matching text model in the background once this share of
        # the directory has been edited since its last fit.
        "MATCHING_REFIT_SHARE": float(env.get("MATCHING_REFIT_SHARE", "0.1")),
    }
    if env.get("SECRET_KEY"):
        settings["SECRET_KEY"] = env["SECRET_KEY"]
    if env.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    return settings


def load(instance_path: str, overrides: Mapping | None = None) -> dict:
    """Every setting of an app: environment, then overrides, then what only disk can give."""
    settings = from_environment()
    overrides = dict(overrides or {})
    if "DATABASE_URL" in overrides:
        overrides["SQLALCHEMY_DATABASE_URI"] = overrides["DATABASE_URL"]
    settings.update(overrides)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = _secret_key(instance_path)
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(instance_path, exist_ok=True)
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'peerlink.sqlite'}"
    settings["SQLALCHEMY_DATABASE_URI"] = _database_url(settings["SQLALCHEMY_DATABASE_URI"])
    return settings


class Config:
    """Defaults that do not depend on the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE_DEFAULT = 20
    PER_PAGE_MAX = 100
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Set per app: Flask-Limiter otherwise keeps the previous app's choice (one global limiter).
    RATELIMIT_ENABLED = True
    PASSWORD_HASH_METHOD = "scrypt"
    # Seconds a client is asked to wait (Retry-After) when the database is unavailable.
    RETRY_AFTER_SECONDS = 30
