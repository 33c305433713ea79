"""Signed ticket tokens, as pure functions shared by the server and offline scanners.

A token is ``SM1`` followed by unpadded RFC 4648 base32 (A–Z, 2–7) of

    format (1 byte, = 1) | len(summit) (1) | summit slug | len(code) (1) | code |
    ticket version (2, big-endian) | Ed25519 signature of everything before (64)

Upper-case base32 keeps the QR in its compact alphanumeric mode. No personal
data is inside: only the summit, the registration code and the ticket version.
Reissuing a ticket bumps the version, so an old QR verifies but is *revoked*.
No Flask, no database, no ``summit`` imports.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "SM1"
FORMAT = 1
SIGNATURE_BYTES = 64


class InvalidTicket(Exception):
    """``reason`` is one of: malformed, bad_signature, wrong_summit, revoked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TicketClaim:
    summit: str
    code: str
    version: int


def new_private_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_key_for(private_key: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def _payload(summit: str, code: str, version: int) -> bytes:
    slug, ident = summit.encode("ascii"), code.encode("ascii")
    if not (0 < len(slug) < 256 and 0 < len(ident) < 256 and 0 <= version < 65536):
        raise ValueError("summit, code or version out of range")
    return (
        bytes([FORMAT, len(slug)]) + slug + bytes([len(ident)]) + ident
        + struct.pack(">H", version)
    )  # fmt: skip


def sign_ticket(private_key: bytes, *, summit: str, code: str, version: int) -> str:
    payload = _payload(summit, code, version)
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(payload)
    return PREFIX + base64.b32encode(payload + signature).decode("ascii").rstrip("=")


def parse_ticket(token: str) -> tuple[TicketClaim, bytes, bytes]:
    """Split a token into claim, signed bytes and signature, or raise ``malformed``."""
    text = (token or "").strip().upper()
    if not text.startswith(PREFIX) or len(text) > 400:
        raise InvalidTicket("malformed")
    body = text[len(PREFIX) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise InvalidTicket("malformed") from None
    if len(raw) < 6 + SIGNATURE_BYTES or raw[0] != FORMAT:
        raise InvalidTicket("malformed")
    signed, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    try:
        slug_len = signed[1]
        slug = signed[2 : 2 + slug_len].decode("ascii")
        code_len = signed[2 + slug_len]
        code = signed[3 + slug_len : 3 + slug_len + code_len].decode("ascii")
        (version,) = struct.unpack(">H", signed[3 + slug_len + code_len :])
    except (IndexError, UnicodeDecodeError, struct.error):
        raise InvalidTicket("malformed") from None
    if not slug or not code:
        raise InvalidTicket("malformed")
    return TicketClaim(slug, code, version), signed, signature


def verify_ticket(
    token: str,
    public_keys: dict[str, bytes],
    *,
    summit: str | None = None,
    current_versions: dict[str, int] | None = None,
) -> TicketClaim:
    """Return the claim of a genuine, current ticket or raise ``InvalidTicket``.

    ``public_keys`` maps summit slug -> raw Ed25519 public key. ``summit``, when
    given, is the summit at this door. ``current_versions`` maps registration
    code -> the ticket version in force (missing codes are not checked).
    """
    claim, signed, signature = parse_ticket(token)
    if summit is not None and claim.summit != summit:
        raise InvalidTicket("wrong_summit")
    key = public_keys.get(claim.summit)
    if key is None:
        raise InvalidTicket("wrong_summit")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, signed)
    except (InvalidSignature, ValueError):
        raise InvalidTicket("bad_signature") from None
    if current_versions is not None:
        current = current_versions.get(claim.code)
        if current is not None and current != claim.version:
            raise InvalidTicket("revoked")
    return claim
