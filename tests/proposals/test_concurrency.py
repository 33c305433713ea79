"""Two presenters use the last use of an access code at the same instant (PostgreSQL).

Both requests pass the "uses < max_uses" check before either writes; the
atomic conditional UPDATE must let exactly one through. The control swaps in
a read-then-write increment and shows the same race lets both through, so the
test can tell a correct implementation from a broken one.
"""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from summit.accounts.services import create_user
from summit.core.errors import DomainError
from summit.extensions import db
from summit.proposals import services
from summit.proposals.models import AccessCode, Proposal
from summit.proposals.queries import get_format
from summit.summits.queries import get_track
from summit.summits.services import create_summit

pytestmark = pytest.mark.postgres_only

CLOSED_AT = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def two_drafts_one_code(app):
    with app.app_context():
        summit = create_summit(
            slug="2027",
            name="Summit",
            starts_on=date(2027, 9, 23),
            ends_on=date(2027, 9, 24),
            cfp_opens_at=CLOSED_AT - timedelta(days=60),
            cfp_closes_at=CLOSED_AT - timedelta(days=1),
            actor=None,
        )
        services.ensure_call(summit)
        access = services.create_access_code(summit, actor=None, max_uses=1)
        codes = []
        for n in range(2):
            lead = create_user(email=f"lead{n}@example.org", password="long enough pw", name="L")
            data = {
                "title": "T",
                "abstract": "A",
                "outcomes": "O",
                "lead_role": "educator",
                "format": get_format(summit, "panel"),
                "track": get_track(summit, "pillar-family"),
            }
            codes.append(services.create_proposal(summit, actor=lead, data=data).code)
        db.session.commit()
        return codes, access.code


def _race(app, codes, access_code, redeem):
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def synchronised(access):
        barrier.wait()  # both have checked the code; now both try to use it
        redeem(access)

    def submit(code):
        with app.app_context():
            proposal = db.session.scalar(db.select(Proposal).where(Proposal.code == code))
            try:
                services.submit_proposal(
                    proposal, actor=proposal.owner, access_code=access_code, at=CLOSED_AT
                )
                db.session.commit()
                outcomes[code] = "submitted"
            except DomainError as error:
                db.session.rollback()
                outcomes[code] = error.code
                if barrier.n_waiting:
                    barrier.abort()
            finally:
                db.session.remove()

    original = services._redeem_access_code
    services._redeem_access_code = synchronised
    try:
        threads = [threading.Thread(target=submit, args=(code,)) for code in codes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        services._redeem_access_code = original
    with app.app_context():
        uses = db.session.scalar(db.select(AccessCode.uses).where(AccessCode.code == access_code))
    return sorted(outcomes.values()), uses


def test_access_code_last_use_concurrently_only_one_submission_wins(app, two_drafts_one_code):
    codes, access_code = two_drafts_one_code
    original = services._redeem_access_code

    outcomes, uses = _race(app, codes, access_code, original)

    assert outcomes == ["code_used_up", "submitted"]
    assert uses == 1


def test_control_read_then_write_increment_lets_both_through(app, two_drafts_one_code):
    codes, access_code = two_drafts_one_code

    def naive_redeem(access):
        current = db.session.scalar(db.select(AccessCode.uses).where(AccessCode.id == access.id))
        if access.max_uses is not None and current >= access.max_uses:
            raise DomainError("code_used_up", "used up")
        db.session.execute(
            db.update(AccessCode).where(AccessCode.id == access.id).values(uses=current + 1)
        )

    outcomes, _uses = _race(app, codes, access_code, naive_redeem)

    assert outcomes == ["submitted", "submitted"]  # the race the real code prevents
