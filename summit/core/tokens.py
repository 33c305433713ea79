"""Random public codes and secrets; only hashes of secrets are stored."""

import hashlib
import secrets

# No 0/O, 1/I/L: codes are read aloud at the door and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length: int = 5, prefix: str = "") -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{prefix}-{body}" if prefix else body


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
