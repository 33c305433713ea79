from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from summit.accounts import services
from summit.accounts.enums import TokenPurpose
from summit.accounts.models import AccountToken, ApiToken, User
from summit.core.errors import Conflict, DomainError, NotFound
from summit.core.tokens import hash_secret
from summit.extensions import db
from tests.conftest import PASSWORD

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _sign_up(email="ana@example.org", **extra):
    values = {"email": email, "password": PASSWORD, "name": "Ana Flores", **extra}
    return services.sign_up(**values)


# --- sign_up ---------------------------------------------------------------


def test_sign_up_new_email_stores_lowercase_unverified_user(ctx):
    user, _token = _sign_up("  Ana.Flores@Example.ORG ")

    assert user.email == "ana.flores@example.org"
    assert user.is_verified is False
    assert user.preferred_language == "en"
    assert _count(User) == 1


def test_sign_up_password_is_stored_as_argon2id_hash(ctx):
    user, _token = _sign_up()

    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("again", ["ana@example.org", "ANA@EXAMPLE.ORG", " Ana@Example.org "])
def test_sign_up_same_email_any_case_raises_email_taken_without_second_row(ctx, again):
    _sign_up("ana@example.org")
    db.session.flush()

    with pytest.raises(Conflict) as caught:
        _sign_up(again)

    assert caught.value.code == "email_taken"
    assert caught.value.status == 409
    assert "email" in caught.value.fields
    assert _count(User) == 1


def test_sign_up_short_password_raises_weak_password_without_row(ctx):
    with pytest.raises(DomainError) as caught:
        _sign_up(password="short")

    assert caught.value.code == "weak_password"
    assert "password" in caught.value.fields
    assert _count(User) == 0


def test_sign_up_profile_fields_blank_become_none(ctx):
    user, _token = _sign_up(pronouns="", county="Fresno", age_band="", not_a_field="ignored")

    assert user.pronouns is None
    assert user.age_band is None
    assert user.county == "Fresno"


def test_sign_up_verification_token_is_stored_hashed(ctx):
    _user, issued = _sign_up(at=T0)

    record = db.session.scalar(select(AccountToken))
    assert record.purpose == TokenPurpose.VERIFY_EMAIL.value
    assert record.token_hash == hash_secret(issued.secret)
    assert issued.secret not in record.token_hash
    assert record.expires_at == T0 + timedelta(hours=72)


# --- verify_email ----------------------------------------------------------


def test_verify_email_valid_link_marks_user_verified(ctx):
    user, issued = _sign_up(at=T0)

    verified = services.verify_email(issued.secret, at=T0 + timedelta(hours=1))

    assert verified is user
    assert user.email_verified_at == T0 + timedelta(hours=1)


def test_verify_email_reused_link_raises_link_used(ctx):
    _user, issued = _sign_up(at=T0)
    services.verify_email(issued.secret, at=T0 + timedelta(hours=1))

    with pytest.raises(DomainError) as caught:
        services.verify_email(issued.secret, at=T0 + timedelta(hours=2))

    assert caught.value.code == "link_used"


def test_verify_email_after_lifetime_raises_link_expired(ctx):
    user, issued = _sign_up(at=T0)

    with pytest.raises(DomainError) as caught:
        services.verify_email(issued.secret, at=T0 + timedelta(hours=72))

    assert caught.value.code == "link_expired"
    assert user.email_verified_at is None


@pytest.mark.parametrize("secret", ["", "not-a-real-token", "x" * 500])
def test_verify_email_unknown_secret_raises_link_invalid(ctx, secret):
    _sign_up(at=T0)

    with pytest.raises(DomainError) as caught:
        services.verify_email(secret, at=T0)

    assert caught.value.code == "link_invalid"


def test_verify_email_with_reset_link_raises_link_invalid(ctx):
    user, _issued = _sign_up(at=T0)
    reset = services.issue_account_token(user, TokenPurpose.RESET_PASSWORD, at=T0)

    with pytest.raises(DomainError) as caught:
        services.verify_email(reset.secret, at=T0)

    assert caught.value.code == "link_invalid"
    assert user.email_verified_at is None


# --- authenticate ----------------------------------------------------------


def test_authenticate_right_password_returns_user_and_records_login(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    result = services.authenticate("ANA@example.org", PASSWORD, at=T0)

    assert result is user
    assert user.last_login_at == T0


def test_authenticate_wrong_password_and_unknown_email_fail_identically(ctx):
    services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    with pytest.raises(DomainError) as wrong_password:
        services.authenticate("ana@example.org", "wrong password here")
    with pytest.raises(DomainError) as unknown_email:
        services.authenticate("nobody@example.org", PASSWORD)

    assert wrong_password.value.code == unknown_email.value.code == "login_failed"
    assert wrong_password.value.message == unknown_email.value.message
    assert wrong_password.value.status == unknown_email.value.status


def test_authenticate_unverified_right_password_raises_email_unverified(ctx):
    _sign_up()

    with pytest.raises(DomainError) as caught:
        services.authenticate("ana@example.org", PASSWORD)

    assert caught.value.code == "email_unverified"


def test_authenticate_unverified_wrong_password_raises_login_failed(ctx):
    _sign_up()

    with pytest.raises(DomainError) as caught:
        services.authenticate("ana@example.org", "wrong password here")

    assert caught.value.code == "login_failed"


def test_authenticate_deactivated_account_raises_login_failed(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    user.is_active_account = False

    with pytest.raises(DomainError) as caught:
        services.authenticate("ana@example.org", PASSWORD)

    assert caught.value.code == "login_failed"


def test_authenticate_outdated_hash_parameters_rehashes_password(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    old_hash = user.password_hash
    ctx.config["ARGON2_TIME_COST"] = 2

    services.authenticate("ana@example.org", PASSWORD)

    assert user.password_hash != old_hash
    assert "t=2" in user.password_hash


# --- password reset --------------------------------------------------------


def test_request_password_reset_unknown_email_returns_none(ctx):
    assert services.request_password_reset("nobody@example.org") is None
    assert _count(AccountToken) == 0


def test_request_password_reset_deactivated_account_returns_none(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    user.is_active_account = False

    assert services.request_password_reset("ana@example.org") is None


def test_reset_password_valid_link_sets_password_and_ends_sessions(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    old_key = user.session_key
    _user, issued = services.request_password_reset("Ana@Example.org", at=T0)

    services.reset_password(issued.secret, "a brand new passphrase", at=T0 + timedelta(minutes=5))

    assert services.authenticate("ana@example.org", "a brand new passphrase") is user
    assert user.session_key != old_key
    assert issued.record.used_at == T0 + timedelta(minutes=5)


def test_reset_password_reused_link_raises_link_used(ctx):
    services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    _user, issued = services.request_password_reset("ana@example.org", at=T0)
    services.reset_password(issued.secret, "a brand new passphrase", at=T0)

    with pytest.raises(DomainError) as caught:
        services.reset_password(issued.secret, "another new passphrase", at=T0)

    assert caught.value.code == "link_used"
    assert services.authenticate("ana@example.org", "a brand new passphrase")


def test_reset_password_after_lifetime_raises_link_expired(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    old_hash = user.password_hash
    _user, issued = services.request_password_reset("ana@example.org", at=T0)

    with pytest.raises(DomainError) as caught:
        services.reset_password(issued.secret, "a brand new passphrase", at=T0 + timedelta(hours=1))

    assert caught.value.code == "link_expired"
    assert user.password_hash == old_hash


def test_reset_password_weak_password_leaves_link_unused(ctx):
    services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    _user, issued = services.request_password_reset("ana@example.org", at=T0)

    with pytest.raises(DomainError) as caught:
        services.reset_password(issued.secret, "short", at=T0)

    assert caught.value.code == "weak_password"
    assert issued.record.used_at is None


def test_reset_password_verification_link_raises_link_invalid(ctx):
    _user, issued = _sign_up(at=T0)

    with pytest.raises(DomainError) as caught:
        services.reset_password(issued.secret, "a brand new passphrase", at=T0)

    assert caught.value.code == "link_invalid"


def test_reset_password_unverified_user_becomes_verified(ctx):
    user, _verify = _sign_up(at=T0)
    _user, issued = services.request_password_reset("ana@example.org", at=T0)

    services.reset_password(issued.secret, "a brand new passphrase", at=T0)

    assert user.email_verified_at == T0


def test_check_reset_link_fresh_link_passes_without_using_it(ctx):
    services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    _user, issued = services.request_password_reset("ana@example.org", at=T0)

    services.check_reset_link(issued.secret, at=T0 + timedelta(minutes=59))

    assert issued.record.used_at is None


def test_check_reset_link_after_lifetime_raises_link_expired(ctx):
    services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    _user, issued = services.request_password_reset("ana@example.org", at=T0)

    with pytest.raises(DomainError) as caught:
        services.check_reset_link(issued.secret, at=T0 + timedelta(minutes=60))

    assert caught.value.code == "link_expired"


# --- change_password and sessions ------------------------------------------


def test_change_password_right_current_rotates_session_key(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    old_key = user.session_key

    services.change_password(user, PASSWORD, "a brand new passphrase")

    assert user.session_key != old_key
    assert user.get_id() == user.session_key
    assert services.authenticate("ana@example.org", "a brand new passphrase") is user


def test_change_password_wrong_current_raises_and_keeps_hash(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    old_hash, old_key = user.password_hash, user.session_key

    with pytest.raises(DomainError) as caught:
        services.change_password(user, "not my password", "a brand new passphrase")

    assert caught.value.code == "wrong_password"
    assert "current_password" in caught.value.fields
    assert (user.password_hash, user.session_key) == (old_hash, old_key)


def test_change_password_short_new_password_raises_weak_password(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    with pytest.raises(DomainError) as caught:
        services.change_password(user, PASSWORD, "short")

    assert caught.value.code == "weak_password"


def test_end_all_sessions_gives_a_new_unique_session_key(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    keys = {user.session_key}

    for _ in range(3):
        services.end_all_sessions(user)
        keys.add(user.session_key)

    assert len(keys) == 4


# --- profile ---------------------------------------------------------------


def test_update_profile_strips_text_and_returns_previous_values(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    before = services.update_profile(
        user, name="  Ana Flores ", pronouns=" she/her ", organisation="", county="Kern"
    )

    assert before["name"] == "Ana"
    assert (user.name, user.pronouns, user.organisation, user.county) == (
        "Ana Flores",
        "she/her",
        None,
        "Kern",
    )


def test_update_profile_blank_language_falls_back_to_english(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    user.preferred_language = "es"

    services.update_profile(user, preferred_language="")

    assert user.preferred_language == "en"


def test_update_profile_blank_name_raises_name_required(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    with pytest.raises(DomainError) as caught:
        services.update_profile(user, name="   ")

    assert caught.value.code == "name_required"
    assert user.name == "Ana"


def test_update_profile_unknown_field_raises_value_error(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    with pytest.raises(ValueError, match="is_admin"):
        services.update_profile(user, is_admin=True)

    assert user.is_admin is False


# --- create_user -----------------------------------------------------------


def test_create_user_is_verified_and_can_be_admin(ctx):
    user = services.create_user(
        email="Admin@Example.org", password=PASSWORD, name="Admin", is_admin=True, at=T0
    )

    assert user.email == "admin@example.org"
    assert user.is_admin is True
    assert user.email_verified_at == T0


# --- API tokens ------------------------------------------------------------


def test_create_api_token_stores_hash_and_prefix_not_secret(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    issued = services.create_api_token(user, "  spreadsheet  ", at=T0)

    token = db.session.scalar(select(ApiToken))
    assert issued.secret.startswith(services.API_TOKEN_PREFIX)
    assert token.token_hash == hash_secret(issued.secret)
    assert token.prefix == issued.secret[:10]
    assert issued.secret not in (token.token_hash, token.prefix, token.public_id)
    assert token.name == "spreadsheet"
    assert token.created_at == T0


def test_create_api_token_blank_name_raises_name_required(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")

    with pytest.raises(DomainError) as caught:
        services.create_api_token(user, "   ")

    assert caught.value.code == "name_required"
    assert _count(ApiToken) == 0


def test_user_for_api_token_valid_secret_returns_user_and_records_use(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    issued = services.create_api_token(user, "script")

    found = services.user_for_api_token(issued.secret, at=T0)

    assert found is user
    assert issued.record.last_used_at == T0


def test_user_for_api_token_revoked_returns_none(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    issued = services.create_api_token(user, "script")

    services.revoke_api_token(user, issued.record.public_id, at=T0)

    assert issued.record.revoked_at == T0
    assert services.user_for_api_token(issued.secret) is None


def test_user_for_api_token_deactivated_owner_returns_none(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    issued = services.create_api_token(user, "script")
    user.is_active_account = False

    assert services.user_for_api_token(issued.secret) is None


@pytest.mark.parametrize("secret", ["", "no-prefix-at-all", "smt_not-a-real-token"])
def test_user_for_api_token_unknown_secret_returns_none(ctx, secret):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    services.create_api_token(user, "script")

    assert services.user_for_api_token(secret) is None


def test_revoke_api_token_of_someone_else_raises_not_found(ctx):
    owner = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    other = services.create_user(email="bo@example.org", password=PASSWORD, name="Bo")
    issued = services.create_api_token(owner, "script")

    with pytest.raises(NotFound) as caught:
        services.revoke_api_token(other, issued.record.public_id)

    assert caught.value.code == "token_not_found"
    assert issued.record.revoked_at is None


def test_revoke_api_token_twice_keeps_first_revocation_time(ctx):
    user = services.create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    issued = services.create_api_token(user, "script")
    services.revoke_api_token(user, issued.record.public_id, at=T0)

    services.revoke_api_token(user, issued.record.public_id, at=T0 + timedelta(days=1))

    assert issued.record.revoked_at == T0


def test_change_password_ends_other_unused_reset_links(ctx):
    from summit.accounts import services
    from summit.accounts.enums import TokenPurpose
    from summit.core.errors import DomainError
    from summit.extensions import db

    user = services.create_user(email="reset@example.org", password="old password 1", name="R")
    pending = services.issue_account_token(user, TokenPurpose.RESET_PASSWORD)
    db.session.flush()

    services.change_password(user, "old password 1", "new password 22")

    try:
        services.reset_password(pending.secret, "third password 333")
    except DomainError as error:
        code = error.code
    else:
        code = None
    assert code == "link_used"
