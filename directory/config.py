"""Configuration: defaults, overridden by the environment, overridden by create_app(config)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: str) -> str:
    """Generated once per instance and kept in instance/, so sessions survive a restart."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _database_url(url: str) -> str:
    # Hosting platforms still hand out postgres://, which SQLAlchemy 2 no longer accepts.
    if url.startswith("postgres://"):
        return "postgresql://" + url.removeprefix("postgres://")
    return url


def from_environment(instance_path: str) -> dict:
    """Read settings at app creation time, never at import time."""
    env = os.environ
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(
            env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'peerlink.sqlite'}"
        ),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Peerlink <noreply@peerlink.local>"),
        "MAP_TILE_URL": env.get(
            "MAP_TILE_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILE_ATTRIBUTION": env.get(
            "MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
        ),
        # Links in email sent from cron, where there is no request to take the host from.
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        "GEOCODER_ONLINE_FALLBACK": _env_bool("GEOCODER_ONLINE_FALLBACK"),
        "GEOCODER_USER_AGENT": env.get("GEOCODER_USER_AGENT", "peerlink"),
        # Rate limits are counted here: memory:// for one process, redis://host:6379 for several.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Each worker refits its matching text model in the background once this share of
        # the directory has been edited since its last fit.
        "MATCHING_REFIT_SHARE": float(env.get("MATCHING_REFIT_SHARE", "0.1")),
    }


class Config:
    """Defaults that do not depend on the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE_DEFAULT = 20
    PER_PAGE_MAX = 100
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PASSWORD_HASH_METHOD = "scrypt"
