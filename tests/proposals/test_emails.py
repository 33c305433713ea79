"""Mail from the call for proposals, read from a real SMTP server after the outbox runs."""

import re
from urllib.parse import urlsplit

import pytest

from tests.proposals.conftest import proposal_form, spanish

LINK = re.compile(r"https?://\S+")


def _only(mailbox, email: str):
    messages = mailbox.to(email)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def _link(mailbox, message) -> str:
    match = LINK.search(mailbox.body(message))
    assert match, "the mail has no link"
    return urlsplit(match.group()).path


def _submit_new(client) -> str:
    response = client.post("/2027/proposals/new", data=proposal_form("submit"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rsplit("/", 1)[-1]


# --- receipt ----------------------------------------------------------------------------------


def test_receipt_on_submit_arrives_with_code_and_link(
    client, open_call, login_as, mailbox, deliver
):
    email = login_as()
    code = _submit_new(client)

    deliver()

    receipt = _only(mailbox, email)
    body = mailbox.body(receipt)
    assert receipt["Subject"] == f"We received your proposal {code}"
    assert receipt["Content-Language"] == "en"
    assert f"Your proposal code is {code}." in body
    assert "“Family nights that work”" in body
    assert _link(mailbox, receipt) == f"/2027/proposals/{code}"


def test_receipt_not_sent_for_a_saved_draft(client, open_call, login_as, mailbox, deliver):
    email = login_as()
    client.post("/2027/proposals/new", data=proposal_form("draft"))

    deliver()

    assert mailbox.to(email) == []


def test_receipt_in_spanish_for_a_lead_who_prefers_spanish(
    client, open_call, make_user, auth, mailbox, deliver
):
    email = make_user(preferred_language="es")
    auth.login(email)
    code = _submit_new(client)

    deliver()

    receipt = _only(mailbox, email)
    assert receipt["Subject"] == spanish("We received your proposal %(code)s") % {"code": code}
    assert receipt["Content-Language"] == "es"
    assert code in mailbox.body(receipt)


def test_receipt_language_follows_the_lead_not_the_browser(
    client, open_call, make_user, auth, mailbox, deliver
):
    email = make_user(preferred_language="es")
    auth.login(email)

    response = client.post(
        "/2027/proposals/new",
        data=proposal_form("submit"),
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    code = response.headers["Location"].rsplit("/", 1)[-1]
    deliver()

    assert _only(mailbox, email)["Subject"] == spanish("We received your proposal %(code)s") % {
        "code": code
    }


def test_receipt_hostile_title_stays_plain_text(client, open_call, login_as, mailbox, deliver):
    email = login_as()
    title = "<script>alert('x')</script> [prize](javascript:alert(1))"
    response = client.post("/2027/proposals/new", data=proposal_form("submit", title=title))
    assert response.status_code == 302

    deliver()

    receipt = _only(mailbox, email)
    assert not receipt.is_multipart()
    assert receipt.get_content_type() == "text/plain"
    assert "href=" not in mailbox.body(receipt)
    assert f"“{title}”" in mailbox.body(receipt)  # shown as typed, never interpreted


# --- withdrawal -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_withdraw_sends_confirmation_in_the_leads_language(
    client, open_call, make_user, auth, make_proposal, mailbox, deliver, language
):
    email = make_user(preferred_language=language)
    code = make_proposal(email, submit=True)
    auth.login(email)

    client.post(f"/2027/proposals/{code}/withdraw")
    deliver()

    message = _only(mailbox, email)
    expected = "You withdrew proposal %(code)s"
    if language == "es":
        expected = spanish(expected)
    assert message["Subject"] == expected % {"code": code}
    assert _link(mailbox, message) == f"/2027/proposals/{code}"


def test_withdraw_refused_sends_nothing(
    client, open_call, login_as, make_proposal, mailbox, deliver, load_proposal
):
    email = login_as()
    code = make_proposal(email)  # a draft cannot be withdrawn

    response = client.post(f"/2027/proposals/{code}/withdraw", follow_redirects=True)
    deliver()

    assert "cannot become" in response.get_data(as_text=True)
    assert load_proposal(code)["state"] == "draft"
    assert mailbox.to(email) == []


# --- invitations and consent --------------------------------------------------------------


def test_invitation_email_names_inviter_and_links_to_invitation(
    client, open_call, make_user, auth, make_proposal, mailbox, deliver
):
    lead = make_user(name="Lena Lead")
    code = make_proposal(lead)
    auth.login(lead)

    client.post(f"/2027/proposals/{code}/invite", data={"email": "guest@example.org"})
    deliver()

    message = _only(mailbox, "guest@example.org")
    assert message["Subject"].startswith("Lena Lead invites you to present at")
    assert "“Family nights that work”" in mailbox.body(message)
    assert re.fullmatch(r"/2027/invitations/[\w-]+", _link(mailbox, message))


def test_invitation_email_to_known_account_is_in_their_language(
    client, open_call, make_user, auth, make_proposal, mailbox, deliver
):
    lead = make_user(name="Lena Lead", preferred_language="en")
    guest = make_user(preferred_language="es")
    code = make_proposal(lead)
    auth.login(lead)

    client.post(f"/2027/proposals/{code}/invite", data={"email": guest})
    deliver()

    message = _only(mailbox, guest)
    expected = spanish("%(name)s invites you to present at %(summit)s")
    assert message["Subject"].startswith(expected.split("%(summit)s")[0] % {"name": "Lena Lead"})
    assert message["Content-Language"] == "es"


def test_consent_request_email_names_the_student_and_links_to_consent(
    client, open_call, login_as, make_proposal, mailbox, deliver
):
    code = make_proposal(login_as())
    client.post(
        f"/2027/proposals/{code}/presenters/add",
        data={
            "name": "Sam Student",
            "role_type": "student",
            "age_band": "under_13",
            "guardian_name": "Pat Guardian",
            "guardian_email": "guardian@example.org",
        },
    )

    client.post(f"/2027/proposals/{code}/submit")
    deliver()

    message = _only(mailbox, "guardian@example.org")
    body = mailbox.body(message)
    assert message["Subject"].startswith("Please give consent for Sam Student to present at")
    assert "Hello Pat Guardian," in body
    assert re.fullmatch(r"/2027/consent/[\w-]+", _link(mailbox, message))
