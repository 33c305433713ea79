"""Argon2id password hashing (argon2-cffi), parameters from configuration."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


_DUMMY: dict[str, str] = {}


def burn_time(password: str) -> None:
    """Spend as long as a real check so response time does not reveal unknown emails."""
    dummy = _DUMMY.get("hash")
    if dummy is None:
        dummy = _DUMMY["hash"] = hash_password("not-a-real-password")
    verify_password(dummy, password)
