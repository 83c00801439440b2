"""Passwords (argon2id), API tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cl_"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _hasher.hash("timing-equaliser")  # as slow as a real check: no user enumeration
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_token() -> str:
    """An API token (shown once) or a session id."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens and session ids are stored as SHA-256 digests: a stolen database holds none."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, session_key: str) -> str:
    """The form token of a session (or of an anonymous visitor's cookie): HMAC, so it need not
    be stored and cannot be forged without the server's key."""
    return hmac.new(secret_key.encode(), f"csrf:{session_key}".encode(), "sha256").hexdigest()


def same_token(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
