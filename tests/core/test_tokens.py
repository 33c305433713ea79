import hashlib

from summit.core.tokens import CODE_ALPHABET, hash_secret, new_secret, random_code


def test_random_code_uses_only_unambiguous_characters():
    codes = {random_code(8) for _ in range(200)}

    assert len(codes) == 200
    assert all(set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_random_code_with_prefix():
    code = random_code(5, prefix="PRO")

    assert code.startswith("PRO-")
    assert len(code) == 9


def test_new_secret_has_at_least_128_bits():
    secrets = {new_secret() for _ in range(50)}

    assert len(secrets) == 50
    assert all(len(s) >= 22 for s in secrets)


def test_hash_secret_is_sha256_hex():
    assert hash_secret("abc") == hashlib.sha256(b"abc").hexdigest()
