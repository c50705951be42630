"""How many sign-in and API attempts are allowed, counted in the rate-limit store before what they guard.

The policy is here; the views only say who is asking (their address, the browser's device cookie). Counts live
in Flask-Limiter's store (SQLite by default, Redis at scale), never in the database.
"""

from __future__ import annotations

import hashlib
import math
import time
from functools import cache

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from ..extensions import limiter


@cache
def _items(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


@cache
def _fallback() -> RateLimiter:
    return FixedWindowRateLimiter(MemoryStorage())


def _counted(step):
    """Run `step(strategy)` on the configured store; if the store fails (Redis down), count in this process rather
    than let everyone through or no one in."""
    try:
        return step(limiter.limiter)
    except Exception:
        current_app.logger.exception("The rate-limit store failed; counting in this process until it is back")
        return step(_fallback())


def throttle(limits: str, *key: str, count: bool = True) -> int | None:
    """Count a hit on each of `limits` (e.g. "10 per minute; 30 per hour") for `key`: None while all allow it, else
    the seconds until they would. With count=False, only look (for limits counted on failure).

    The store counts a hit and reads it back in one atomic step, and the hit comes before what it guards, so
    parallel requests between them get no more tries than the limit.
    """
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return None
    identifiers = (config["RATELIMIT_KEY_PREFIX"], *key)
    for item in _items(limits):
        allowed = _counted(lambda s, item=item: s.hit(item, *identifiers) if count else s.test(item, *identifiers))
        if not allowed:
            reset = _counted(lambda s, item=item: s.get_window_stats(item, *identifiers).reset_time)
            return max(1, math.ceil(reset - time.time()))
    return None


def count_failure(limits: str, *key: str) -> None:
    """One more failure on limits that throttle(..., count=False) looks at."""
    config = current_app.config
    if config["RATELIMIT_ENABLED"]:
        identifiers = (config["RATELIMIT_KEY_PREFIX"], *key)
        for item in _items(limits):
            _counted(lambda s, item=item: s.hit(item, *identifiers))


def _forget(limits: str, *key: str) -> None:
    config = current_app.config
    if config["RATELIMIT_ENABLED"]:
        identifiers = (config["RATELIMIT_KEY_PREFIX"], *key)
        for item in _items(limits):
            _counted(lambda s, item=item: s.clear(item, *identifiers))


def account_key(email: str) -> str:
    """Limits are keyed on the email as typed (normalised), whether or not there is such an account; hashed so
    that the store holds no addresses."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]


def _client_key(account: str, address: str, device: str | None) -> tuple[str, ...]:
    return ("sign-in", "device", account, device) if device else ("sign-in", "client", account, address)


def sign_in_wait(account: str, address: str, device: str | None) -> int | None:
    """Count a sign-in attempt (before any password is checked); the seconds to wait when it is one too many.

    A browser that has signed in to the account before (`device`, from the signed cookie it was given then) is
    held only by its own count, so someone guessing from elsewhere cannot keep the person out; anyone else is
    counted per address, per account and address, and per account from all such clients (which slows guessing
    from many addresses).
    """
    config = current_app.config
    if device:
        return throttle(config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT"], *_client_key(account, address, device))
    return (throttle(config["SIGN_IN_LIMIT_PER_ADDRESS"], "sign-in", "address", address)
            or throttle(config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT"], *_client_key(account, address, device))
            or throttle(config["SIGN_IN_LIMIT_PER_ACCOUNT"], "sign-in", "account", account))


def signed_in(account: str, address: str, device: str | None) -> None:
    """A successful sign-in starts this client's count for the account afresh."""
    _forget(current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT"], *_client_key(account, address, device))
