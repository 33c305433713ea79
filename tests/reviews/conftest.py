"""Review fixtures: people, proposals under review, and a builder for HTTP tests.

Every person gets a mail domain of their own, so no conflict of interest appears
unless a test asks for one (same organisation, same domain, shared proposal).
Service tests work inside one app context (``summit``, ``person``, ``proposal``);
HTTP tests build through ``world`` (each step commits) and browse with ``browse_as``.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from summit.accounts.models import User
from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_user
from summit.extensions import db
from summit.proposals import services as proposal_services
from summit.proposals.enums import ProposalState
from summit.proposals.models import Proposal
from summit.proposals.queries import get_format, get_proposal
from summit.reviews import services
from summit.reviews.enums import DEFAULT_CRITERIA
from summit.reviews.models import Assignment, Conflict, Review
from summit.summits.models import Summit
from summit.summits.queries import get_summit_by_slug, get_track
from summit.summits.services import create_summit, grant_role
from tests.conftest import PASSWORD

SLUG = "2027"
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
CRITERIA = tuple(code for code, *_rest in DEFAULT_CRITERIA)
REVIEW_API = f"/api/v1/summits/{SLUG}/review"

_numbers = itertools.count(1)


def unique_email(name: str) -> str:
    """An address on a domain nobody else has."""
    key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "person"
    n = next(_numbers)
    return f"{key}-{n}@{key}-{n}.example"


def scores(value: int = 3, **overrides: int) -> dict[str, int]:
    """A score for every seeded criterion (``community_voice=4`` sets ``community-voice``)."""
    values = dict.fromkeys(CRITERIA, value)
    for key, score in overrides.items():
        values[key.replace("_", "-")] = score
    return values


def review_form(value: int | None = 3, *, action: str = "stay", **fields) -> dict:
    """The review form as the browser posts it."""
    form = {f"score_{code}": str(value) for code in CRITERIA} if value is not None else {}
    return {"comment_committee": "", "comment_presenters": "", "action": action} | form | fields


# --- builders (call inside an app context) -----------------------------------------------


def add_person(summit: Summit, name: str = "Person", *, email=None, roles=(), **profile) -> User:
    user = create_user(email=email or unique_email(name), password=PASSWORD, name=name)
    for key, value in profile.items():
        setattr(user, key, value)
    for role in roles:
        grant_role(summit, user, role, actor=None)
    db.session.flush()
    return user


def add_proposal(
    summit: Summit,
    owner: User,
    *,
    copresenters=(),
    state: ProposalState | str = ProposalState.UNDER_REVIEW,
    track: str = "pillar-family",
    **values,
) -> Proposal:
    """A complete proposal, moved through the state machine to ``state``."""
    proposal_services.ensure_call(summit)
    at = summit.cfp_opens_at + timedelta(minutes=1)
    data = {
        "title": "Family nights that work",
        "abstract": "We share how we run family nights.",
        "outcomes": "Three practices to try.",
        "language": "bilingual",
        "lead_role": "family",
        **values,
    }
    data["format"] = get_format(summit, "workshop-60")
    data["track"] = get_track(summit, track)
    proposal = proposal_services.create_proposal(summit, actor=owner, data=data, at=at)
    for person in copresenters:
        invitation = proposal_services.invite_copresenter(
            proposal, actor=owner, email=person.email, at=at
        )
        proposal_services.accept_invitation(invitation.presenter, user=person, at=at)
    state = ProposalState(state)
    path = {
        ProposalState.DRAFT: [],
        ProposalState.SUBMITTED: [],
        ProposalState.UNDER_REVIEW: [ProposalState.UNDER_REVIEW],
        ProposalState.WAITLISTED: [ProposalState.UNDER_REVIEW, ProposalState.WAITLISTED],
        ProposalState.ACCEPTED: [ProposalState.UNDER_REVIEW, ProposalState.ACCEPTED],
        ProposalState.REJECTED: [ProposalState.UNDER_REVIEW, ProposalState.REJECTED],
    }[state]
    if state is not ProposalState.DRAFT:
        proposal_services.submit_proposal(proposal, actor=owner, at=at)
    for step in path:
        proposal_services.change_state(proposal, step, actor=None, as_staff=True, at=at)
    return proposal


def force_assignment(proposal: Proposal, reviewer: User) -> Assignment:
    """An assignment written straight to the table, skipping every check (a past mistake)."""
    row = Assignment(summit_id=proposal.summit_id, proposal_id=proposal.id, reviewer_id=reviewer.id)
    db.session.add(row)
    db.session.flush()
    return row


def review_rows(proposal: Proposal) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.proposal_id == proposal.id)))


def assigned_emails(proposal: Proposal) -> set[str]:
    return set(
        db.session.scalars(
            select(User.email)
            .join(Assignment, Assignment.reviewer_id == User.id)
            .where(Assignment.proposal_id == proposal.id)
        )
    )


# --- service-level fixtures (one app context) ----------------------------------------------


@pytest.fixture
def summit(ctx) -> Summit:
    """Summit 2027, call open around NOW, review set up."""
    summit = create_summit(
        slug=SLUG,
        name="Community Schools Summit 2027",
        starts_on=date(2027, 9, 23),
        ends_on=date(2027, 9, 24),
        cfp_opens_at=NOW - timedelta(days=30),
        cfp_closes_at=NOW + timedelta(days=30),
        actor=None,
        make_current=True,
    )
    services.ensure_review_setup(summit)
    db.session.flush()
    return summit


@pytest.fixture
def person(summit):
    def factory(name="Person", **kwargs) -> User:
        return add_person(summit, name, **kwargs)

    return factory


@pytest.fixture
def reviewer(person):
    def factory(name="Reviewer", **kwargs) -> User:
        return person(name, roles=("reviewer",), **kwargs)

    return factory


@pytest.fixture
def staff(person) -> User:
    return person("Staff Member", roles=("staff",))


@pytest.fixture
def proposal(summit, person):
    """``proposal()`` is under review by a fresh presenter; pass ``owner=`` to choose."""

    def factory(owner: User | None = None, **kwargs) -> Proposal:
        return add_proposal(summit, owner or person("Presenter"), **kwargs)

    return factory


# --- HTTP-level fixtures (each step commits) ------------------------------------------------


class World:
    """Summit 2027 under review, built through the services; people are named by email."""

    def __init__(self, app):
        self.app = app

    def run(self, step):
        """Run ``step(summit)`` in its own app context and commit."""
        with self.app.app_context():
            result = step(get_summit_by_slug(SLUG))
            db.session.commit()
            return result

    @staticmethod
    def user(email: str) -> User:
        return get_user_by_email(email)

    @staticmethod
    def find(summit: Summit, code: str) -> Proposal:
        return get_proposal(summit, code)

    def person(self, name="Person", **kwargs) -> str:
        return self.run(lambda s: add_person(s, name, **kwargs).email)

    def reviewer(self, name="Reviewer", **kwargs) -> str:
        return self.person(name, roles=("reviewer",), **kwargs)

    def proposal(self, owner: str | None = None, *, copresenters=(), **kwargs) -> str:
        def step(summit):
            lead = self.user(owner) if owner else add_person(summit, "Presenter")
            team = [self.user(e) for e in copresenters]
            return add_proposal(summit, lead, copresenters=team, **kwargs).code

        return self.run(step)

    def assign(self, code: str, *reviewers: str) -> None:
        def step(summit):
            for email in reviewers:
                services.add_assignment(self.find(summit, code), self.user(email), actor=None)

        self.run(step)

    def force_assign(self, code: str, reviewer: str) -> None:
        self.run(lambda s: force_assignment(self.find(s, code), self.user(reviewer)))

    def review(self, code: str, reviewer: str, *, value: int = 3, **kwargs) -> None:
        kwargs.setdefault("scores", scores(value))
        self.run(
            lambda s: services.submit_review(
                self.find(s, code), reviewer=self.user(reviewer), **kwargs
            )
        )

    def conflict(self, code: str, reviewer: str, source: str = "declared") -> None:
        """A conflict row that leaves any assignment in place: the reading side must hide it."""
        self.run(
            lambda s: db.session.add(
                Conflict(
                    summit_id=s.id,
                    proposal_id=self.find(s, code).id,
                    user_id=self.user(reviewer).id,
                    source=source,
                )
            )
        )

    def change(self, code: str, state: str) -> None:
        self.run(
            lambda s: proposal_services.change_state(
                self.find(s, code), state, actor=None, as_staff=True
            )
        )

    def refresh_conflicts(self) -> int:
        return self.run(services.refresh_auto_conflicts)

    def settings(self, **values) -> None:
        self.run(lambda s: services.update_settings(s, actor=None, **values))

    def blind_text(self, code: str, *, title="", abstract="", outcomes="") -> None:
        self.run(
            lambda s: services.save_blind_text(
                self.find(s, code), actor=None, title=title, abstract=abstract, outcomes=outcomes
            )
        )

    def state(self, code: str) -> str:
        return self.run(lambda s: self.find(s, code).state)

    def review_count(self, code: str) -> int:
        return self.run(
            lambda s: db.session.scalar(
                select(func.count(Review.id)).where(Review.proposal_id == self.find(s, code).id)
            )
        )


@pytest.fixture
def world(app, make_summit) -> World:
    at = datetime.now(UTC)
    make_summit(SLUG, cfp_opens_at=at - timedelta(days=60), cfp_closes_at=at - timedelta(days=1))
    world = World(app)
    world.run(services.ensure_review_setup)
    return world


@pytest.fixture
def browse_as(app):
    """A separate browse_as, logged in as ``email``."""

    def factory(email: str):
        client = app.test_client()
        response = client.post("/account/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return factory


@pytest.fixture
def deliver(app):
    """Send every queued message to the loopback SMTP server."""
    from summit.core.outbox import deliver_pending

    def run():
        with app.app_context():
            return deliver_pending()

    return run
