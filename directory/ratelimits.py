"""Every rate limit in one place, keyed by endpoint and applied after the blueprints exist.

Views carry no decorators: another feature adds its limits to LIMITS. Rules with the same
config key share one count per key (per account, address or member). Each limit's value is
read from the config key beside it when a request comes (so tests and deployments change them
without code), and counted in RATELIMIT_STORAGE_URI: memory:// for one process, redis:// when
several workers must share the counts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from directory.extensions import limiter


def by_address() -> str:
    return f"address:{get_remote_address()}"


def by_account_email() -> str:
    """The account a sign-in tries, whoever tries it: slows guessing from many addresses."""
    email = (request.form.get("email") or "").strip().lower()
    return f"email:{email}"


def by_member() -> str:
    """The signed-in member (one person behind many addresses), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return by_address()


def failed_sign_in(response: Response) -> bool:
    """Only wrong passwords count: a sign-in that succeeds redirects."""
    return response.status_code != 302


def succeeded(response: Response) -> bool:
    """Only what was sent counts: a form sent back with a typo to fix costs nothing."""
    return response.status_code == 302


def mark_accepted() -> None:
    """Views whose accepted and refused forms both answer 200 call this when one is accepted."""
    g.rate_limited_form_accepted = True


def accepted(_response: Response) -> bool:
    return bool(g.get("rate_limited_form_accepted"))


@dataclass(frozen=True)
class Rule:
    endpoint: str
    config_key: str
    default: str
    key: Callable[[], str] = by_address
    methods: tuple[str, ...] = ("POST",)
    deduct_when: Callable[[Response], bool] | None = None


LIMITS: tuple[Rule, ...] = (
    Rule(
        "auth.login",
        "RATELIMIT_LOGIN_ACCOUNT",
        "10 per hour",
        by_account_email,
        deduct_when=failed_sign_in,
    ),
    Rule("auth.login", "RATELIMIT_LOGIN_ADDRESS", "50 per hour", deduct_when=failed_sign_in),
    # A community hub may register many businesses from one address: only accepted forms count.
    Rule("auth.register", "RATELIMIT_REGISTER", "20 per hour", deduct_when=accepted),
    Rule("auth.forgot_password", "RATELIMIT_RESET", "5 per hour", deduct_when=accepted),
    Rule(
        "auth.forgot_password",
        "RATELIMIT_RESET_ACCOUNT",
        "3 per hour",
        by_account_email,
        deduct_when=accepted,
    ),
    Rule("auth.change_password", "RATELIMIT_LOGIN_ACCOUNT", "10 per hour", by_member),
    Rule("auth.change_email", "RATELIMIT_CHANGE_EMAIL", "5 per hour", by_member),
    Rule("auth.delete_account", "RATELIMIT_LOGIN_ACCOUNT", "10 per hour", by_member),
    Rule("auth.resend_verification", "RATELIMIT_RESEND", "5 per hour", by_member),
    Rule(
        "introductions.report_introduction",
        "RATELIMIT_REPORT",
        "5 per hour",
        by_member,
        deduct_when=succeeded,
    ),
    Rule(
        "introductions.report_business",
        "RATELIMIT_REPORT",
        "5 per hour",
        by_member,
        deduct_when=succeeded,
    ),
    Rule(
        "introductions.new",
        "RATELIMIT_INTRODUCTION",
        "10 per hour",
        by_member,
        deduct_when=succeeded,
    ),
)


@cache
def _value(rule: Rule) -> Callable[[], str]:
    # One callable per rule: the limiter is shared by every app made in a process and keeps
    # equal limits once, so registering again (tests make many apps) adds no duplicate.
    return lambda: current_app.config.get(rule.config_key, rule.default)


def register(app: Flask) -> None:
    """Apply LIMITS and answer 429 with a page (or JSON under /api) and Retry-After."""
    apply(app, LIMITS)
    app.register_error_handler(429, too_many_requests)


def apply(app: Flask, rules: tuple[Rule, ...]) -> None:
    """Wrap each limited endpoint's view once with all of its rules.

    An endpoint that is not registered (a blueprint another branch has not merged yet) is
    skipped rather than failing the app.
    """
    by_endpoint: dict[str, list[Rule]] = {}
    for rule in rules:
        by_endpoint.setdefault(rule.endpoint, []).append(rule)
    for endpoint, endpoint_rules in by_endpoint.items():
        view: Callable[..., Any] | None = app.view_functions.get(endpoint)
        if view is None:
            continue
        for rule in endpoint_rules:
            # Shared by config key: both report forms draw on one "reports per hour" budget.
            view = limiter.shared_limit(
                _value(rule),
                scope=rule.config_key,
                key_func=rule.key,
                methods=list(rule.methods),
                deduct_when=rule.deduct_when,
            )(view)
        app.view_functions[endpoint] = view


def retry_after() -> int:
    """Seconds until the breached limit lets a request through again."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def too_many_requests(error: RateLimitExceeded):
    seconds = retry_after()
    headers = {"Retry-After": str(seconds)}
    message = "Too many attempts. Please wait a little and try again."
    if request.path.startswith("/api/"):
        from directory.api.problems import error_response

        response = error_response(429, message)
        response.headers.update(headers)
        return response
    if request.path.endswith(".json"):
        body = {"error": {"status": 429, "message": message, "retry_after": seconds}}
        return jsonify(body), 429, headers
    minutes = max(1, math.ceil(seconds / 60))
    page = render_template("429.html", minutes=minutes)
    return page, 429, headers
