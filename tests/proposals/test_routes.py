"""Presenters' pages over HTTP: the call, the form, the team, invitations, guardian consent."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from summit.extensions import db
from summit.proposals import services
from tests.conftest import PASSWORD
from tests.proposals.conftest import hostile_markup, proposal_form, wall_now

LINK = re.compile(r"https?://\S+")
CODE = re.compile(r"/2027/proposals/(PRO-[A-Z0-9]{5})$")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _code_from(response) -> str:
    match = CODE.search(urlsplit(response.headers["Location"]).path)
    assert match, response.headers.get("Location")
    return match.group(1)


def _link_in(mailbox, email: str) -> str:
    messages = mailbox.to(email)
    assert messages, f"no mail arrived for {email}"
    match = LINK.search(mailbox.body(messages[-1]))
    assert match, "the mail has no link"
    return urlsplit(match.group()).path


def _set_call(app, **values) -> None:
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        services.update_call_settings(get_summit_by_slug("2027"), actor=None, **values)
        db.session.commit()


def _make_code(app, **values) -> str:
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        access = services.create_access_code(get_summit_by_slug("2027"), actor=None, **values)
        db.session.commit()
        return access.code


# --- the call and the list of my proposals ---------------------------------------


def test_call_page_open_call_shows_deadline_formats_and_start_link(client, open_call):
    response = client.get("/2027/call")

    page = _text(response)
    assert response.status_code == 200
    assert "The call is open until" in page
    assert "Workshop (60 minutes)" in page
    assert 'href="/2027/proposals/new"' in page


def test_call_page_closed_call_does_not_say_open(client, closed_call):
    page = _text(client.get("/2027/call"))

    assert "The call is open until" not in page
    assert "The call runs from" in page


def test_mine_lists_own_proposals_with_state_and_code(
    client, open_call, login_as, make_proposal, make_user
):
    email = login_as()
    mine = make_proposal(email, title="Our own session")
    theirs = make_proposal(make_user(), title="Somebody else's session")

    page = _text(client.get("/2027/proposals/"))

    assert mine in page and "Our own session" in page
    assert theirs not in page and "Somebody else" not in page
    assert "Only you can see this draft." in page


# --- saving and submitting ----------------------------------------------------------


def test_new_proposal_save_draft_redirects_to_detail_with_public_code(
    client, open_call, login_as, load_proposal
):
    email = login_as()

    response = client.post("/2027/proposals/new", data=proposal_form("draft"))

    assert response.status_code == 302
    code = _code_from(response)
    saved = load_proposal(code)
    assert saved["state"] == "draft"
    assert saved["owner"] == email
    assert saved["title"] == "Family nights that work"
    page = _text(client.get(f"/2027/proposals/{code}"))
    assert code in page and "Family nights that work" in page


def test_new_proposal_submit_when_complete_is_submitted(client, open_call, login_as, load_proposal):
    login_as()

    response = client.post("/2027/proposals/new", data=proposal_form("submit"))

    assert response.status_code == 302
    assert load_proposal(_code_from(response))["state"] == "submitted"
    page = _text(client.get(response.headers["Location"]))
    assert "is submitted. We sent you a receipt." in page


def test_new_proposal_incomplete_submit_keeps_draft_and_lists_missing_fields(
    client, app, open_call, login_as
):
    from summit.proposals.models import Proposal

    email = login_as()
    form = proposal_form("submit", abstract="", outcomes="", track="")

    response = client.post("/2027/proposals/new", data=form)

    page = _text(response)
    assert response.status_code == 422
    assert "A few things are missing before you can submit it." in page
    for name in ("abstract", "outcomes", "track"):
        assert re.search(rf'id="{name}-error"[^>]*>Please fill this in before you submit', page)
    assert 'id="title-error"' not in page
    with app.app_context():
        drafts = db.session.query(Proposal).all()
        assert [(p.state, p.title, p.owner.email) for p in drafts] == [
            ("draft", "Family nights that work", email)
        ]


def test_new_proposal_incomplete_submit_form_posts_to_the_saved_draft(
    client, app, open_call, login_as
):
    from summit.proposals.models import Proposal

    login_as()
    response = client.post("/2027/proposals/new", data=proposal_form("submit", outcomes=""))
    with app.app_context():
        code = db.session.query(Proposal.code).scalar()

    page = _text(response)

    assert f'action="/2027/proposals/{code}/edit"' in page
    again = client.post(f"/2027/proposals/{code}/edit", data=proposal_form("submit"))
    assert again.status_code == 302
    with app.app_context():
        assert db.session.query(Proposal.state).all() == [("submitted",)]


def test_new_proposal_title_over_limit_shows_field_error_and_keeps_text(
    client, app, open_call, login_as
):
    from summit.proposals.models import Proposal

    login_as()
    title = ("Family nights " * 11).strip()  # 153 characters; the call allows 120
    abstract = "Typed with care and not to be lost."

    response = client.post(
        "/2027/proposals/new", data=proposal_form("draft", title=title, abstract=abstract)
    )

    page = _text(response)
    assert response.status_code == 422
    assert re.search(r'id="title-error"[^>]*>Use at most 120 characters \(now 153\)', page)
    assert f'value="{title}"' in page
    assert abstract in page
    with app.app_context():
        assert db.session.query(Proposal).count() == 0


def test_edit_proposal_abstract_over_word_limit_shows_field_error_and_keeps_text(
    client, open_call, login_as, make_proposal, load_proposal
):
    email = login_as()
    code = make_proposal(email)
    abstract = "community " * 301

    response = client.post(
        f"/2027/proposals/{code}/edit", data=proposal_form("draft", abstract=abstract)
    )

    page = _text(response)
    assert response.status_code == 422
    assert re.search(r'id="abstract-error"[^>]*>Use at most 300 words \(now 301\)', page)
    assert abstract.strip() in page
    assert load_proposal(code)["abstract"] == "We share how we run family nights."


def test_new_proposal_submit_after_close_without_code_keeps_draft_with_message(
    client, closed_call, login_as, app
):
    from summit.proposals.models import Proposal

    login_as()

    response = client.post("/2027/proposals/new", data=proposal_form("submit"))

    page = _text(response)
    assert response.status_code == 422
    assert "The call for proposals is not open, so we kept your proposal as a draft." in page
    assert re.search(r'id="access_code-error"[^>]*>Needed while the call is closed', page)
    with app.app_context():
        assert db.session.query(Proposal.state, Proposal.title).all() == [
            ("draft", "Family nights that work")
        ]


def test_new_proposal_submit_after_close_with_valid_code_is_submitted(
    client, app, closed_call, login_as, load_proposal
):
    login_as()
    access = _make_code(app, max_uses=2)

    response = client.post(
        "/2027/proposals/new", data=proposal_form("submit", access_code=access.lower())
    )

    assert response.status_code == 302
    assert load_proposal(_code_from(response))["state"] == "submitted"


@pytest.mark.parametrize(
    ("code_values", "message"),
    [
        (
            {"expires_at": wall_now() - timedelta(hours=1)},
            "That access code has expired. Ask the summit team for a new one.",
        ),
        ({"max_uses": 1, "uses": 1}, "That access code has been used as many times as allowed."),
    ],
    ids=["expired", "used-up"],
)
def test_submit_action_after_close_with_unusable_code_shows_message_and_keeps_draft(
    client, app, closed_call, login_as, make_proposal, load_proposal, code_values, message
):
    from summit.proposals.models import AccessCode

    email = login_as()
    code = make_proposal(email)
    values = dict(code_values)
    uses = values.pop("uses", 0)
    access = _make_code(app, **values)
    with app.app_context():
        db.session.query(AccessCode).update({"uses": uses})
        db.session.commit()

    response = client.post(
        f"/2027/proposals/{code}/submit", data={"access_code": access}, follow_redirects=True
    )

    assert message in _text(response)
    assert load_proposal(code)["state"] == "draft"


def test_submit_action_after_close_with_valid_code_is_submitted(
    client, app, closed_call, login_as, make_proposal, load_proposal
):
    email = login_as()
    code = make_proposal(email)
    access = _make_code(app)

    response = client.post(
        f"/2027/proposals/{code}/submit", data={"access_code": access}, follow_redirects=True
    )

    assert "is submitted. We sent you a receipt." in _text(response)
    assert load_proposal(code)["state"] == "submitted"


def test_edit_submitted_proposal_after_close_is_refused_and_unchanged(
    client, closed_call, login_as, make_proposal, load_proposal
):
    email = login_as()
    code = make_proposal(email, submit=True)

    response = client.post(
        f"/2027/proposals/{code}/edit", data=proposal_form("draft", title="Changed too late")
    )

    assert response.status_code == 422
    assert "submitted proposals can no longer be changed" in _text(response)
    assert load_proposal(code)["title"] == "Family nights that work"


def test_withdraw_then_reopen_changes_state_each_time(
    client, open_call, login_as, make_proposal, load_proposal
):
    email = login_as()
    code = make_proposal(email, submit=True)

    withdrawn = client.post(f"/2027/proposals/{code}/withdraw", follow_redirects=True)
    state_after_withdraw = load_proposal(code)["state"]
    reopened = client.post(f"/2027/proposals/{code}/reopen", follow_redirects=True)

    assert state_after_withdraw == "withdrawn"
    assert "Your proposal is withdrawn. We sent you a confirmation." in _text(withdrawn)
    assert load_proposal(code)["state"] == "draft"
    assert "Your proposal is a draft again." in _text(reopened)


def test_reopen_after_close_is_refused_with_message(
    client, app, closed_call, login_as, make_proposal, load_proposal
):
    email = login_as()
    code = make_proposal(email, submit=True)
    client.post(f"/2027/proposals/{code}/withdraw")

    response = client.post(f"/2027/proposals/{code}/reopen", follow_redirects=True)

    assert "The call is closed, so it cannot be reopened." in _text(response)
    assert load_proposal(code)["state"] == "withdrawn"


def test_detail_draft_lists_what_is_still_needed(client, open_call, login_as, make_proposal):
    email = login_as()
    code = make_proposal(email, outcomes="")

    page = _text(client.get(f"/2027/proposals/{code}"))

    assert "Still needed before you can submit" in page
    assert "what participants will take away" in page


# --- hostile text is inert -------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
JS_LINK = "[win a prize](javascript:alert('x'))"
RAW_LINK = '<a href="javascript:alert(1)">click</a>'


def assert_inert(html: str) -> None:
    """No script the page did not ship itself, and no link or handler that runs code."""
    found = hostile_markup(html)
    assert found == [], found


def test_detail_hostile_title_abstract_outcomes_and_answer_are_inert(
    client, app, open_call, login_as, make_proposal
):
    from summit.proposals.models import Proposal
    from summit.summits.queries import get_summit_by_slug

    email = login_as()
    code = make_proposal(
        email,
        title=f"Title {SCRIPT}",
        abstract=f"About {SCRIPT} and {JS_LINK} and {RAW_LINK} and <javascript:alert(1)>",
        outcomes=f"Take {JS_LINK} {SCRIPT}",
    )
    with app.app_context():
        summit = get_summit_by_slug("2027")
        question = services.save_question(
            summit, actor=None, kind="short_text", prompt_en="Anything else?", prompt_es="¿Algo?"
        )
        proposal = db.session.query(Proposal).filter_by(code=code).one()
        services.update_proposal(
            proposal,
            actor=proposal.owner,
            data={
                "title": proposal.title,
                "abstract": proposal.abstract,
                "outcomes": proposal.outcomes,
                "lead_role": "family",
            },
            questions=[question],
            answers={question.public_id: f"{SCRIPT} {RAW_LINK}"},
        )
        db.session.commit()

    page = _text(client.get(f"/2027/proposals/{code}"))

    assert_inert(page)
    assert "&lt;script&gt;alert(" in page
    assert "Anything else?" in page


# --- another person's proposal ------------------------------------------------------------

OTHERS_URLS = [
    ("get", "/2027/proposals/{code}"),
    ("get", "/2027/proposals/{code}/edit"),
    ("post", "/2027/proposals/{code}/edit"),
    ("post", "/2027/proposals/{code}/submit"),
    ("post", "/2027/proposals/{code}/withdraw"),
    ("post", "/2027/proposals/{code}/reopen"),
    ("post", "/2027/proposals/{code}/confirm"),
    ("post", "/2027/proposals/{code}/decline"),
    ("post", "/2027/proposals/{code}/invite"),
    ("post", "/2027/proposals/{code}/presenters/add"),
    ("post", "/2027/proposals/{code}/presenters/{lead}/remove"),
    ("post", "/2027/proposals/{code}/presenters/{lead}/resend"),
]


@pytest.mark.parametrize(("method", "url"), OTHERS_URLS)
def test_other_persons_proposal_by_url_is_not_found(
    client, open_call, login_as, make_user, make_proposal, load_proposal, method, url
):
    owner = make_user()
    code = make_proposal(owner, submit=True)
    lead = load_proposal(code)["presenters"][0]["public_id"]
    login_as()

    data = proposal_form("submit", title="Hijacked", email="me@example.org", name="Me")

    response = getattr(client, method)(
        url.format(code=code, lead=lead), data=data if method == "post" else None
    )

    assert response.status_code == 404
    assert "We could not find that page." in _text(response)
    after = load_proposal(code)
    assert (after["state"], after["title"], len(after["presenters"])) == (
        "submitted",
        "Family nights that work",
        1,
    )


def test_unknown_proposal_code_is_not_found(client, open_call, login_as):
    login_as()

    response = client.get("/2027/proposals/PRO-ZZZZZ")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/2027/proposals/"),
        ("get", "/2027/proposals/new"),
        ("get", "/2027/proposals/{code}"),
        ("get", "/2027/proposals/{code}/edit"),
        ("post", "/2027/proposals/{code}/withdraw"),
        ("post", "/2027/proposals/{code}/invite"),
    ],
)
def test_anonymous_is_sent_to_login(
    client, open_call, make_user, make_proposal, load_proposal, method, url
):
    code = make_proposal(make_user(), submit=True)
    path = url.format(code=code)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/login"
    assert parse_qs(location.query)["next"] == [path]
    assert load_proposal(code)["state"] == "submitted"


def test_accepted_copresenter_can_read_but_not_edit(
    client, app, open_call, make_user, make_proposal, login_as
):
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.models import Proposal

    owner = make_user()
    code = make_proposal(owner)
    copresenter = login_as()
    with app.app_context():
        proposal = db.session.query(Proposal).filter_by(code=code).one()
        invitation = services.invite_copresenter(proposal, actor=proposal.owner, email=copresenter)
        services.accept_invitation(invitation.presenter, user=get_user_by_email(copresenter))
        db.session.commit()

    read = client.get(f"/2027/proposals/{code}")
    edit = client.get(f"/2027/proposals/{code}/edit")

    assert read.status_code == 200 and "Family nights that work" in _text(read)
    assert "Edit proposal" not in _text(read)
    assert edit.status_code == 404


# --- co-presenters ------------------------------------------------------------------------


@pytest.fixture
def lead_draft(client, open_call, login_as, make_proposal):
    """The test client is the lead of a draft; returns (lead email, code)."""
    email = login_as()
    return email, make_proposal(email)


def test_invite_copresenter_sends_invitation_with_link(
    client, lead_draft, mailbox, deliver, load_proposal
):
    _lead, code = lead_draft

    response = client.post(
        f"/2027/proposals/{code}/invite",
        data={"email": "Guest@Example.org", "name": "Guest Speaker"},
        follow_redirects=True,
    )
    deliver()

    assert "We sent an invitation to guest@example.org." in _text(response)
    assert re.fullmatch(r"/2027/invitations/[\w-]+", _link_in(mailbox, "guest@example.org"))
    invited = load_proposal(code)["presenters"][1]
    assert (invited["email"], invited["name"], invited["invite_status"]) == (
        "guest@example.org",
        "Guest Speaker",
        "pending",
    )


def test_invite_same_email_twice_shows_error_and_one_invitation(
    client, lead_draft, mailbox, deliver, load_proposal
):
    _lead, code = lead_draft
    client.post(f"/2027/proposals/{code}/invite", data={"email": "guest@example.org"})

    response = client.post(
        f"/2027/proposals/{code}/invite",
        data={"email": "GUEST@example.org"},
        follow_redirects=True,
    )
    deliver()

    assert "guest@example.org is already on this proposal." in _text(response)
    assert len(load_proposal(code)["presenters"]) == 2
    assert len(mailbox.to("guest@example.org")) == 1


def test_invite_owner_themself_shows_error(client, lead_draft, load_proposal):
    lead, code = lead_draft

    response = client.post(
        f"/2027/proposals/{code}/invite", data={"email": lead.upper()}, follow_redirects=True
    )

    assert "You are already on this proposal. Invite someone else." in _text(response)
    assert len(load_proposal(code)["presenters"]) == 1


def test_invite_more_than_max_copresenters_shows_error(client, app, lead_draft, load_proposal):
    _lead, code = lead_draft
    _set_call(app, max_copresenters=1)
    client.post(f"/2027/proposals/{code}/invite", data={"email": "one@example.org"})

    response = client.post(
        f"/2027/proposals/{code}/invite", data={"email": "two@example.org"}, follow_redirects=True
    )

    assert "A proposal can have at most 1 co-presenter." in _text(response)
    assert [p["email"] for p in load_proposal(code)["presenters"]][1:] == ["one@example.org"]


def test_invite_invalid_email_shows_error(client, lead_draft, load_proposal):
    _lead, code = lead_draft

    response = client.post(
        f"/2027/proposals/{code}/invite", data={"email": "not an email"}, follow_redirects=True
    )

    assert "Enter a valid email." in _text(response)
    assert len(load_proposal(code)["presenters"]) == 1


@pytest.fixture
def invitation_link(client, lead_draft, make_user, mailbox, deliver):
    """The lead invited a registered second account; returns (its email, link path, code)."""
    _lead, code = lead_draft
    second = make_user(name="Second Person")
    client.post(f"/2027/proposals/{code}/invite", data={"email": second})
    deliver()
    return second, _link_in(mailbox, second), code


def test_invitation_accepted_by_logged_in_account_lands_on_proposal(
    invitation_link, client_for, load_proposal
):
    second, link, code = invitation_link
    browser = client_for(second)

    page = _text(browser.get(link))
    response = browser.post(link, data={"answer": "accept"})

    assert "Accept and join" in page
    assert response.headers["Location"] == f"/2027/proposals/{code}"
    landed = browser.get(response.headers["Location"])
    assert "Welcome to the team!" in _text(landed)
    joined = load_proposal(code)["presenters"][1]
    assert (joined["user"], joined["invite_status"], joined["name"]) == (
        second,
        "accepted",
        "Second Person",
    )


def test_invitation_link_reused_by_third_account_is_refused(
    invitation_link, client_for, make_user, load_proposal
):
    second, link, code = invitation_link
    client_for(second).post(link, data={"answer": "accept"})
    third = client_for(make_user())

    shown = third.get(link)
    response = third.post(link, data={"answer": "accept"})

    assert "This invitation has already been accepted." in _text(shown)
    assert response.status_code == 403
    assert "This invitation has already been accepted by another account." in _text(response)
    assert load_proposal(code)["presenters"][1]["user"] == second
    assert third.get(f"/2027/proposals/{code}").status_code == 404


def test_invitation_declined_is_recorded_and_link_stops_working(
    invitation_link, client_for, load_proposal
):
    second, link, code = invitation_link
    browser = client_for(second)

    response = browser.post(link, data={"answer": "decline"}, follow_redirects=True)

    assert "You declined the invitation." in _text(response)
    assert load_proposal(code)["presenters"][1]["invite_status"] == "declined"
    again = browser.get(link)
    assert again.status_code == 404
    assert "This invitation link is not valid." in _text(again)


def test_resend_invitation_mails_a_new_link_and_the_old_one_stops_working(
    client, invitation_link, mailbox, deliver, load_proposal, client_for
):
    second, old_link, code = invitation_link
    public_id = load_proposal(code)["presenters"][1]["public_id"]

    response = client.post(
        f"/2027/proposals/{code}/presenters/{public_id}/resend", follow_redirects=True
    )
    deliver()

    assert "Invitation sent again." in _text(response)
    assert len(mailbox.to(second)) == 2
    new_link = _link_in(mailbox, second)
    assert new_link != old_link
    browser = client_for(second)
    assert browser.get(old_link).status_code == 404
    assert browser.post(new_link, data={"answer": "accept"}).status_code == 302


def test_remove_copresenter_takes_them_off_the_proposal(client, invitation_link, load_proposal):
    _second, link, code = invitation_link
    public_id = load_proposal(code)["presenters"][1]["public_id"]

    response = client.post(
        f"/2027/proposals/{code}/presenters/{public_id}/remove", follow_redirects=True
    )

    assert "Presenter removed." in _text(response)
    assert [p["is_lead"] for p in load_proposal(code)["presenters"]] == [True]
    assert client.get(link).status_code == 404


def test_remove_lead_is_refused_with_message(client, lead_draft, load_proposal):
    _lead, code = lead_draft
    public_id = load_proposal(code)["presenters"][0]["public_id"]

    response = client.post(
        f"/2027/proposals/{code}/presenters/{public_id}/remove", follow_redirects=True
    )

    assert "The lead presenter cannot be removed." in _text(response)
    assert len(load_proposal(code)["presenters"]) == 1


def test_invitation_unknown_token_shows_link_problem(client, open_call):
    response = client.get("/2027/invitations/not-a-real-token")

    assert response.status_code == 404
    assert "This invitation link is not valid." in _text(response)


def test_invitation_new_person_signs_up_verifies_and_returns_to_invitation(
    app, client, lead_draft, mailbox, deliver, load_proposal
):
    _lead, code = lead_draft
    client.post(f"/2027/proposals/{code}/invite", data={"email": "newcomer@example.org"})
    deliver()
    link = _link_in(mailbox, "newcomer@example.org")
    visitor = app.test_client()

    page = _text(visitor.get(link))
    signup = re.search(r'href="(/account/signup\?[^"]+)"', page)
    assert signup and parse_qs(urlsplit(signup.group(1)).query)["next"] == [link]
    visitor.get(f"/account/signup?next={quote(link, safe='')}")
    signed_up = visitor.post(
        "/account/signup",
        data={
            "email": "newcomer@example.org",
            "password": PASSWORD,
            "name": "New Comer",
            "preferred_language": "en",
            "presenter_role": "student",
            "county": "",
            "age_band": "adult",
        },
    )
    assert signed_up.status_code == 200, _text(signed_up)[:500]
    deliver()
    verify_link = _link_in(mailbox, "newcomer@example.org")
    assert verify_link.startswith("/account/verify/")

    verified = visitor.get(verify_link)

    assert verified.status_code == 302
    assert verified.headers["Location"] == link
    invitation_page = _text(visitor.get(link))
    assert "Accept and join" in invitation_page
    accepted = visitor.post(link, data={"answer": "accept"})
    assert accepted.headers["Location"] == f"/2027/proposals/{code}"
    assert load_proposal(code)["presenters"][1]["user"] == "newcomer@example.org"


def test_invitation_post_anonymous_goes_to_login_and_changes_nothing(
    app, invitation_link, load_proposal
):
    _second, link, code = invitation_link

    response = app.test_client().post(link, data={"answer": "accept"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    assert load_proposal(code)["presenters"][1]["invite_status"] == "pending"


# --- a presenter without email, and guardian consent -----------------------------------------

STUDENT = {
    "name": "Student Presenter",
    "role_type": "student",
    "age_band": "13_17",
    "guardian_name": "Pat Guardian",
    "guardian_email": "guardian@example.org",
}


@pytest.fixture
def consent_link(client, lead_draft, mailbox, deliver):
    """A student added with a guardian, then the proposal submitted; returns (link, code)."""
    _lead, code = lead_draft
    client.post(f"/2027/proposals/{code}/presenters/add", data=STUDENT)
    client.post(f"/2027/proposals/{code}/submit")
    deliver()
    return _link_in(mailbox, "guardian@example.org"), code


def test_add_presenter_without_email_asks_guardian_only_after_submit(
    client, lead_draft, mailbox, deliver, load_proposal
):
    _lead, code = lead_draft

    added = client.post(
        f"/2027/proposals/{code}/presenters/add", data=STUDENT, follow_redirects=True
    )
    deliver()
    before_submit = len(mailbox.to("guardian@example.org"))
    client.post(f"/2027/proposals/{code}/submit")
    deliver()

    assert "Presenter added." in _text(added)
    assert before_submit == 0
    consent_mails = mailbox.to("guardian@example.org")
    assert len(consent_mails) == 1
    assert "Student Presenter" in consent_mails[0]["Subject"]
    student = load_proposal(code)["presenters"][1]
    assert (student["email"], student["consent_status"]) == (None, "requested")


def test_add_presenter_without_guardian_email_shows_error(client, lead_draft, load_proposal):
    _lead, code = lead_draft

    response = client.post(
        f"/2027/proposals/{code}/presenters/add",
        data=STUDENT | {"guardian_email": ""},
        follow_redirects=True,
    )

    assert "This field is required." in _text(response)
    assert len(load_proposal(code)["presenters"]) == 1


@pytest.mark.parametrize(
    ("form", "status", "media_release"),
    [
        ({"decision": "yes", "media_release": "y"}, "granted", True),
        ({"decision": "no", "media_release": "y"}, "refused", False),
    ],
    ids=["yes", "no"],
)
def test_consent_page_records_decision_and_media_release(
    consent_link, load_proposal, app, form, status, media_release
):
    link, code = consent_link
    guardian = app.test_client()

    shown = guardian.get(link)
    response = guardian.post(link, data=form | {"signed_name": "Pat Guardian"})

    assert "Student Presenter" in _text(shown)
    assert response.status_code == 200
    assert "We have recorded your answer for Student Presenter." in _text(response)
    student = load_proposal(code)["presenters"][1]
    assert (student["consent_status"], student["media_release"]) == (status, media_release)


def test_consent_without_signature_shows_field_error_and_records_nothing(
    consent_link, load_proposal, app
):
    link, code = consent_link

    response = app.test_client().post(link, data={"decision": "yes", "signed_name": ""})

    assert response.status_code == 422
    assert re.search(r'id="signed_name-error"[^>]*>This field is required', _text(response))
    assert load_proposal(code)["presenters"][1]["consent_status"] == "requested"


def test_consent_link_reused_shows_not_found_page(consent_link, app, load_proposal):
    link, code = consent_link
    guardian = app.test_client()
    guardian.post(link, data={"decision": "yes", "signed_name": "Pat Guardian"})

    again = guardian.post(link, data={"decision": "no", "signed_name": "Someone Else"})

    assert again.status_code == 404
    assert "This consent link is not valid or has already been used." in _text(again)
    assert load_proposal(code)["presenters"][1]["consent_status"] == "granted"


def test_guardian_changed_after_refusal_gets_a_new_consent_request(
    client, consent_link, app, mailbox, deliver, load_proposal
):
    link, code = consent_link
    app.test_client().post(link, data={"decision": "no", "signed_name": "Pat Guardian"})
    public_id = load_proposal(code)["presenters"][1]["public_id"]

    response = client.post(
        f"/2027/proposals/{code}/presenters/{public_id}/guardian",
        data={"guardian_name": "Robin Guardian", "guardian_email": "robin@example.org"},
        follow_redirects=True,
    )
    deliver()

    assert "Guardian contact saved." in _text(response)
    assert len(mailbox.to("robin@example.org")) == 1
    assert load_proposal(code)["presenters"][1]["consent_status"] == "requested"


def test_accepted_proposal_confirmed_by_accepted_copresenter(
    app, open_call, make_user, make_proposal, client_for, load_proposal
):
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.models import Proposal

    code = make_proposal(make_user(), submit=True)
    co = make_user()
    with app.app_context():
        proposal = db.session.query(Proposal).filter_by(code=code).one()
        invitation = services.invite_copresenter(proposal, actor=proposal.owner, email=co)
        services.accept_invitation(invitation.presenter, user=get_user_by_email(co))
        for state in ("under_review", "accepted"):
            services.change_state(proposal, state, actor=None, as_staff=True)
        db.session.commit()

    response = client_for(co).post(f"/2027/proposals/{code}/confirm", follow_redirects=True)

    assert "Thank you! You are confirmed as presenters." in _text(response)
    assert load_proposal(code)["state"] == "confirmed"


def test_hostile_markup_finder_catches_live_markup_but_not_escaped_text():
    assert hostile_markup("&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href=x&gt;") == []
    assert hostile_markup('<script src="/static/js/word-count.js"></script>') == []
    assert hostile_markup("<script>alert(1)</script>") != []
    assert hostile_markup('<a href=" javascript:alert(1)">x</a>') != []
    assert hostile_markup("<img src=x onerror=alert(1)>") != []
