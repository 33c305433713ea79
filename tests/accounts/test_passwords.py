from summit.accounts import passwords
from tests.conftest import PASSWORD


def test_hash_password_uses_argon2id_with_configured_cost(ctx):
    hashed = passwords.hash_password(PASSWORD)

    assert hashed.startswith("$argon2id$")
    assert "m=1024,t=1,p=1" in hashed


def test_verify_password_right_and_wrong_password(ctx):
    hashed = passwords.hash_password(PASSWORD)

    assert passwords.verify_password(hashed, PASSWORD) is True
    assert passwords.verify_password(hashed, PASSWORD + "!") is False


def test_verify_password_garbage_hash_is_false_not_an_error(ctx):
    assert passwords.verify_password("not-a-hash", PASSWORD) is False


def test_needs_rehash_garbage_hash_is_true(ctx):
    assert passwords.needs_rehash("not-a-hash") is True


def test_needs_rehash_after_cost_change_is_true(ctx):
    hashed = passwords.hash_password(PASSWORD)
    ctx.config["ARGON2_MEMORY_COST"] = 2048

    assert passwords.needs_rehash(hashed) is True
