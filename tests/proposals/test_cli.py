"""`flask proposals remind-drafts`: one reminder per draft, only in the last 48 hours."""

from datetime import timedelta

import pytest

from tests.proposals.conftest import spanish, wall_now

REMIND = ["proposals", "remind-drafts"]


@pytest.fixture
def app(make_app):
    """Links in mail sent outside a request need the site's host name."""
    return make_app(SERVER_NAME="summit.example.org", PREFERRED_URL_SCHEME="https")


@pytest.fixture
def closing_soon(make_summit):
    """Summit 2027 whose call closes in a day."""
    at = wall_now()
    return make_summit(
        "2027", cfp_opens_at=at - timedelta(days=30), cfp_closes_at=at + timedelta(days=1)
    )


def test_remind_drafts_within_48_hours_emails_each_draft_owner(
    runner, closing_soon, make_user, make_proposal, mailbox, deliver
):
    owner = make_user(name="Dana Draft")
    code = make_proposal(owner, title="Unfinished idea")
    done = make_user()
    make_proposal(done, submit=True)

    result = runner.invoke(args=REMIND)
    deliver()

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "reminded 1 draft owners"
    [reminder] = mailbox.to(owner)
    body = mailbox.body(reminder)
    assert reminder["Subject"] == "Your draft proposal has not been submitted yet"
    assert "Hello Dana Draft," in body
    assert "“Unfinished idea”" in body
    assert f"https://summit.example.org/2027/proposals/{code}" in body
    assert mailbox.to(done) == []


def test_remind_drafts_second_run_sends_nothing(
    runner, closing_soon, make_user, make_proposal, mailbox, deliver
):
    owner = make_user()
    make_proposal(owner)
    runner.invoke(args=REMIND)

    again = runner.invoke(args=REMIND)
    deliver()

    assert again.exit_code == 0, again.output
    assert again.output.strip() == "reminded 0 draft owners"
    assert len(mailbox.to(owner)) == 1


def test_remind_drafts_in_the_owners_language(
    runner, closing_soon, make_user, make_proposal, mailbox, deliver
):
    owner = make_user(preferred_language="es")
    make_proposal(owner)

    runner.invoke(args=REMIND)
    deliver()

    [reminder] = mailbox.to(owner)
    assert reminder["Subject"] == spanish("Your draft proposal has not been submitted yet")
    assert reminder["Content-Language"] == "es"


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        (timedelta(days=-30), timedelta(days=3)),  # closes later than 48 hours from now
        (timedelta(days=-30), timedelta(days=-1)),  # already closed
    ],
    ids=["closes-in-3-days", "closed"],
)
def test_remind_drafts_outside_the_window_sends_nothing(
    runner, make_summit, make_user, make_proposal, mailbox, deliver, opens, closes
):
    at = wall_now()
    make_summit("2027", cfp_opens_at=at + opens, cfp_closes_at=at + closes)
    owner = make_user()
    make_proposal(owner)

    result = runner.invoke(args=REMIND)
    deliver()

    assert result.output.strip() == "reminded 0 draft owners"
    assert mailbox.to(owner) == []


def test_remind_drafts_only_for_the_summit_closing_soon(
    app, runner, make_summit, make_user, mailbox, deliver
):
    from summit.accounts.queries import get_user_by_email
    from summit.extensions import db
    from summit.proposals import services
    from summit.summits.queries import get_summit_by_slug

    at = wall_now()
    make_summit("2027", cfp_opens_at=at - timedelta(days=30), cfp_closes_at=at + timedelta(days=1))
    make_summit("2028", cfp_opens_at=at - timedelta(days=1), cfp_closes_at=at + timedelta(days=90))
    soon, later = make_user(), make_user()
    with app.app_context():
        for slug, email in (("2027", soon), ("2028", later)):
            services.create_proposal(
                get_summit_by_slug(slug), actor=get_user_by_email(email), data={"title": "Idea"}
            )
        db.session.commit()

    result = runner.invoke(args=REMIND)
    deliver()

    assert result.output.strip() == "reminded 1 draft owners"
    assert len(mailbox.to(soon)) == 1
    assert mailbox.to(later) == []


def test_remind_drafts_without_server_name_fails_clearly_and_marks_nothing(
    make_app, make_summit, make_user, make_proposal, app
):
    at = wall_now()
    make_summit("2027", cfp_opens_at=at - timedelta(days=30), cfp_closes_at=at + timedelta(days=1))
    make_proposal(make_user())
    bare = make_app(SERVER_NAME=None)

    result = bare.test_cli_runner().invoke(args=REMIND)
    retry = app.test_cli_runner().invoke(args=REMIND)

    assert result.exit_code == 1
    assert "Set SERVER_NAME" in result.output
    assert retry.output.strip() == "reminded 1 draft owners"
