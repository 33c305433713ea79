from summit.accounts.queries import get_user_by_email
from summit.summits.queries import get_summit_by_slug, roles_of
from tests.conftest import PASSWORD


def _create_user(runner, email="ana@example.org", *extra):
    args = ["accounts", "create-user", email, "--name", "Ana Flores", "--password", PASSWORD]
    return runner.invoke(args=[*args, *extra])


def test_create_user_makes_a_verified_account(app, runner, auth):
    result = _create_user(runner, "Ana@Example.org")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created ana@example.org"
    with app.app_context():
        user = get_user_by_email("ana@example.org")
        assert (user.name, user.is_verified, user.is_admin) == ("Ana Flores", True, False)
    assert auth.login("ana@example.org").status_code == 302


def test_create_user_admin_flag_makes_a_site_admin(app, runner):
    result = _create_user(runner, "admin@example.org", "--admin")

    assert result.exit_code == 0, result.output
    assert "(admin)" in result.output
    with app.app_context():
        assert get_user_by_email("admin@example.org").is_admin is True


def test_create_user_existing_email_fails_with_message(runner):
    _create_user(runner, "ana@example.org")

    result = _create_user(runner, "ANA@example.org")

    assert result.exit_code == 1
    assert "An account with this email already exists." in result.output


def test_create_user_short_password_fails_with_message(app, runner):
    result = runner.invoke(
        args=["accounts", "create-user", "ana@example.org", "--name", "Ana", "--password", "short"]
    )

    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    with app.app_context():
        assert get_user_by_email("ana@example.org") is None


def test_grant_gives_the_role_in_the_summit(app, runner, make_summit, make_user):
    make_summit("2027")
    email = make_user()

    result = runner.invoke(args=["accounts", "grant", email, "reviewer", "--summit", "2027"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{email} is now reviewer in 2027"
    with app.app_context():
        assert roles_of(get_user_by_email(email), get_summit_by_slug("2027")) == {"reviewer"}


def test_grant_twice_fails_with_message(runner, make_summit, make_user):
    make_summit("2027")
    email = make_user()
    runner.invoke(args=["accounts", "grant", email, "door", "--summit", "2027"])

    result = runner.invoke(args=["accounts", "grant", email, "door", "--summit", "2027"])

    assert result.exit_code == 1
    assert "already has this role" in result.output


def test_grant_unknown_email_fails_with_message(runner, make_summit):
    make_summit("2027")

    result = runner.invoke(
        args=["accounts", "grant", "nobody@example.org", "staff", "--summit", "2027"]
    )

    assert result.exit_code == 1
    assert "no account for nobody@example.org" in result.output


def test_grant_unknown_summit_fails_with_message(runner, make_user):
    email = make_user()

    result = runner.invoke(args=["accounts", "grant", email, "staff", "--summit", "1999"])

    assert result.exit_code == 1
    assert "There is no summit at this address." in result.output


def test_grant_unknown_role_is_refused(runner, make_summit, make_user):
    make_summit("2027")
    email = make_user()

    result = runner.invoke(args=["accounts", "grant", email, "emperor", "--summit", "2027"])

    assert result.exit_code == 2
    assert "emperor" in result.output


def test_create_token_prints_a_working_token(client, runner, make_user):
    email = make_user()

    result = runner.invoke(args=["accounts", "create-token", email, "--name", "reports"])

    secret = result.output.strip()
    assert result.exit_code == 0, result.output
    assert secret.startswith("smt_")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.get_json()["email"] == email


def test_create_token_unknown_email_fails_with_message(runner):
    result = runner.invoke(args=["accounts", "create-token", "nobody@example.org"])

    assert result.exit_code == 1
    assert "no account for nobody@example.org" in result.output
