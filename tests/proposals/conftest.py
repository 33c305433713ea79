from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from summit.accounts.services import create_user
from summit.extensions import db
from summit.proposals import services
from summit.summits.services import create_summit

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


@pytest.fixture
def summit(ctx):
    """Summit 2027 with its call open around NOW, in an app context."""
    from datetime import date

    summit = create_summit(
        slug="2027",
        name="Community Schools Summit 2027",
        starts_on=date(2027, 9, 23),
        ends_on=date(2027, 9, 24),
        cfp_opens_at=NOW - timedelta(days=30),
        cfp_closes_at=NOW + timedelta(days=30),
        actor=None,
        make_current=True,
    )
    services.ensure_call(summit)
    db.session.flush()
    return summit


@pytest.fixture
def make_person(ctx):
    counter = {"n": 0}

    def factory(name="Presenter", **profile):
        counter["n"] += 1
        user = create_user(
            email=f"person{counter['n']}@example.org", password="long enough pw", name=name
        )
        for key, value in profile.items():
            setattr(user, key, value)
        db.session.flush()
        return user

    return factory


@pytest.fixture
def lead(make_person):
    return make_person("Lead Presenter", presenter_role="family", age_band="adult")


@pytest.fixture
def complete_data(summit):
    from summit.proposals.queries import get_format
    from summit.summits.queries import get_track

    return {
        "title": "Family nights that work",
        "abstract": "We share how we run family nights.",
        "outcomes": "Three practices to try.",
        "format": get_format(summit, "workshop-60"),
        "track": get_track(summit, "pillar-family"),
        "language": "bilingual",
        "lead_role": "family",
    }


@pytest.fixture
def draft(summit, lead, complete_data):
    return services.create_proposal(summit, actor=lead, data=complete_data, at=NOW)


# --- HTTP-level fixtures: routes, staff pages, API, emails, CLI ----------------
# These never hold an app context across requests; each helper opens its own.

SLUG = "2027"
OPEN_FOR = timedelta(days=30)


def wall_now() -> datetime:
    return datetime.now(UTC)


def proposal_form(action: str = "draft", **overrides) -> dict:
    """A complete proposal form as the browser posts it."""
    form = {
        "title": "Family nights that work",
        "abstract": "We share how we run family nights.",
        "outcomes": "Three practices to try.",
        "format": "workshop-60",
        "track": "pillar-family",
        "language": "bilingual",
        "lead_role": "family",
        "room_setup": "any",
        "action": action,
    }
    return form | overrides


@pytest.fixture
def open_call(make_summit):
    """Summit 2027 with its call open around the real clock."""
    at = wall_now()
    return make_summit(SLUG, cfp_opens_at=at - OPEN_FOR, cfp_closes_at=at + OPEN_FOR)


@pytest.fixture
def closed_call(make_summit):
    """Summit 2027 whose call closed yesterday."""
    at = wall_now()
    return make_summit(
        SLUG, cfp_opens_at=at - timedelta(days=60), cfp_closes_at=at - timedelta(days=1)
    )


@pytest.fixture
def deliver(app):
    """Send every queued message to the loopback SMTP server."""
    from summit.core.outbox import deliver_pending

    def run():
        with app.app_context():
            return deliver_pending()

    return run


@pytest.fixture
def client_for(app):
    """A separate browser, logged in as ``email``."""
    from tests.conftest import PASSWORD

    def factory(email: str):
        browser = app.test_client()
        response = browser.post("/account/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return browser

    return factory


@pytest.fixture
def make_proposal(app):
    """A proposal made through the services (fast set-up); returns its code."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.queries import get_format
    from summit.summits.queries import get_summit_by_slug, get_track

    def factory(owner_email: str, *, submit: bool = False, at=None, **values):
        with app.app_context():
            summit = get_summit_by_slug(SLUG)
            services.ensure_call(summit)
            owner = get_user_by_email(owner_email)
            data = {
                "title": "Family nights that work",
                "abstract": "We share how we run family nights.",
                "outcomes": "Three practices to try.",
                "language": "bilingual",
                "lead_role": "family",
                **values,
            }
            data["format"] = get_format(summit, data.pop("format_code", "workshop-60"))
            data["track"] = get_track(summit, data.pop("track_code", "pillar-family"))
            if at is None and submit:
                at = summit.cfp_opens_at + timedelta(minutes=1)
            proposal = services.create_proposal(summit, actor=owner, data=data, at=at)
            if submit:
                services.submit_proposal(proposal, actor=owner, at=at)
            db.session.commit()
            return proposal.code

    return factory


@pytest.fixture
def load_proposal(app):
    """Read a proposal's current row (detached plain values) by code."""
    from summit.proposals.queries import get_proposal
    from summit.summits.queries import get_summit_by_slug

    def read(code: str):
        with app.app_context():
            proposal = get_proposal(get_summit_by_slug(SLUG), code)
            if proposal is None:
                return None
            return {
                "code": proposal.code,
                "state": proposal.state,
                "title": proposal.title,
                "abstract": proposal.abstract,
                "owner": proposal.owner.email,
                "duplicate_of": proposal.duplicate_of.code if proposal.duplicate_of else None,
                "presenters": [
                    {
                        "name": p.name,
                        "email": p.email,
                        "user": p.user.email if p.user else None,
                        "invite_status": p.invite_status,
                        "consent_status": p.consent_status,
                        "media_release": p.media_release,
                        "public_id": p.public_id,
                        "is_lead": p.is_lead,
                    }
                    for p in proposal.presenters
                ],
            }

    return read


SPANISH_CATALOG = (
    Path(__file__).resolve().parents[2] / "summit/translations/es/LC_MESSAGES/messages.po"
)


def spanish(msgid: str) -> str:
    """The Spanish catalog's text for ``msgid`` (the msgid itself while untranslated)."""
    from babel.messages.pofile import read_po

    with SPANISH_CATALOG.open("rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None, f"not in the Spanish catalog: {msgid}"
    return message.string or msgid


def hostile_markup(html: str) -> list[str]:
    """Real tags (not escaped text) that could run code: inline scripts, javascript: URLs,
    event-handler attributes. Empty for a safe page."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "script" and not (values.get("src") or "").startswith("/static/"):
                found.append(f"<script {values}>")
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"<{tag} {name}>")
                if (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    found.append(f"<{tag} {name}={value}>")

    Finder(convert_charrefs=True).feed(html)
    return found
