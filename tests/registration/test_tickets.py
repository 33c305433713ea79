"""Ticket tokens: genuine ones verify; forged, truncated, foreign and revoked ones do not."""

import ast
from pathlib import Path

import pytest

import summit
from summit.registration.tickets import (
    InvalidTicket,
    new_private_key,
    parse_ticket,
    public_key_for,
    sign_ticket,
    verify_ticket,
)

KEY = new_private_key()
OTHER = new_private_key()
KEYS = {"2027": public_key_for(KEY), "2028": public_key_for(OTHER)}


def token(code="R7KQ2XMA", version=1, summit_slug="2027", key=KEY):
    return sign_ticket(key, summit=summit_slug, code=code, version=version)


def test_verify_genuine_ticket_returns_claim():
    claim = verify_ticket(token(), KEYS, summit="2027")

    assert (claim.summit, claim.code, claim.version) == ("2027", "R7KQ2XMA", 1)


def test_token_is_uppercase_base32_for_a_compact_qr():
    text = token()

    assert text.startswith("SM1")
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") | set("SM1")
    assert len(text) < 160


def test_verify_is_case_and_whitespace_tolerant_for_typed_codes():
    assert verify_ticket(" " + token().lower() + "\n", KEYS).code == "R7KQ2XMA"


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: t[:-5], "malformed"),  # truncated
        (lambda t: t[:40], "malformed"),
        (lambda t: "XX" + t[2:], "malformed"),
        (lambda t: t + "!!", "malformed"),
        (lambda t: "", "malformed"),
        (lambda t: "SM1" + "A" * 120, "malformed"),
    ],
)
def test_verify_malformed_tokens_are_rejected(mangle, reason):
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(mangle(token()), KEYS)

    assert caught.value.reason == reason


def test_verify_flipped_signature_byte_is_rejected():
    import base64

    text = token()
    raw = bytearray(base64.b32decode(text[3:] + "=" * (-len(text[3:]) % 8)))
    raw[-1] ^= 0x01
    forged = "SM1" + base64.b32encode(bytes(raw)).decode().rstrip("=")

    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(forged, KEYS)

    assert caught.value.reason == "bad_signature"


def test_verify_changed_code_with_old_signature_is_rejected():
    import base64

    text = token(code="AAAAAAAA")
    raw = base64.b32decode(text[3:] + "=" * (-len(text[3:]) % 8))
    tampered = raw.replace(b"AAAAAAAA", b"BBBBBBBB")
    forged = "SM1" + base64.b32encode(tampered).decode().rstrip("=")

    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(forged, KEYS)

    assert parse_ticket(forged)[0].code == "BBBBBBBB"
    assert caught.value.reason == "bad_signature"


def test_verify_ticket_signed_with_another_summits_key_is_rejected():
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(token(key=OTHER), KEYS)  # claims 2027, signed with 2028's key

    assert caught.value.reason == "bad_signature"


def test_verify_ticket_of_another_summit_at_this_door_is_rejected():
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(token(summit_slug="2028", key=OTHER), KEYS, summit="2027")

    assert caught.value.reason == "wrong_summit"


def test_verify_unknown_summit_is_rejected():
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(token(summit_slug="1999"), KEYS)

    assert caught.value.reason == "wrong_summit"


def test_verify_reissued_ticket_revokes_the_old_version():
    old, new = token(version=1), token(version=2)
    current = {"R7KQ2XMA": 2}

    assert verify_ticket(new, KEYS, current_versions=current).version == 2
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(old, KEYS, current_versions=current)
    assert caught.value.reason == "revoked"


def test_tickets_module_is_a_pure_core():
    path = Path(summit.__file__).parent / "registration" / "tickets.py"
    tree = ast.parse(path.read_text())
    modules = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]

    assert not [m for m in modules if m.split(".")[0] in {"flask", "sqlalchemy", "summit"}]
