"""Demo reviewers, conflicts, assignments and reviews for the demo summit."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_user
from summit.extensions import db
from summit.proposals.models import Proposal
from summit.reviews import services
from summit.reviews.models import Review
from summit.reviews.queries import list_criteria, reviewer_queue
from summit.summits.enums import Role
from summit.summits.models import Summit
from summit.summits.queries import roles_of
from summit.summits.services import grant_role

REVIEWERS = (
    ("Elena Ruiz", "Central Valley R-TAC", "educator"),
    ("Marcus Bell", "Greater LA R-TAC", "administrator"),
    ("Sofía Castillo", "Student Advisory Board", "student"),
    ("Grace Kim", "Advisory Board", "community_partner"),
    ("Tomás Ortega", "Central Coast R-TAC", "educator"),
    ("Naomi Brooks", "Advisory Board", "family"),
    ("Víctor Salas", "Student Advisory Board", "student"),
    ("Hannah Cole", "Sacramento County Office of Education", "administrator"),
    ("Ramón Díaz", "Greater LA R-TAC", "community_partner"),
    ("Lily Tran", "Central Valley R-TAC", "educator"),
)
REVIEWED_SHARE = 0.7


def seed_reviews(summit: Summit) -> int:
    if db.session.scalar(
        select(func.count()).select_from(Review).where(Review.summit_id == summit.id)
    ):
        return 0
    rng = random.Random(4)
    services.ensure_review_setup(summit)
    tracks = [t for t in summit.tracks if t.is_active]
    reviewers = []
    for index, (name, organisation, role) in enumerate(REVIEWERS):
        # Each reviewer's own organisation domain: sharing the presenters' demo
        # domain would (rightly) make every reviewer conflicted with every proposal.
        domain = "-".join(organisation.lower().replace("-", " ").split()) + ".example"
        email = f"reviewer{index:02d}@{domain}"
        user = get_user_by_email(email)
        if user is None:
            user = create_user(email=email, password=f"demo-reviewer-{index}-not-used", name=name)
            user.organisation = organisation
            user.presenter_role = role
            user.age_band = "13_17" if role == "student" else "adult"
            user.preferred_language = "es" if index % 3 == 0 else "en"
        if Role.REVIEWER.value not in roles_of(user, summit):
            grant_role(summit, user, Role.REVIEWER, actor=None)
        services.set_expertise(summit, user, rng.sample(tracks, k=4))
        reviewers.append(user)
    demo_reviewer = get_user_by_email("reviewer@summit.example")
    if demo_reviewer is not None:
        reviewers.append(demo_reviewer)
    # A few presenters work where a reviewer works: automatic conflicts to see.
    owners = db.session.scalars(
        select(Proposal).where(Proposal.summit_id == summit.id).order_by(Proposal.id).limit(6)
    ).all()
    for proposal, (_name, organisation, _role) in zip(owners, REVIEWERS, strict=False):
        proposal.owner.organisation = organisation
    services.start_review(summit, actor=None)
    criteria = list_criteria(summit)
    written = 0
    for reviewer in reviewers:
        if reviewer.email == "reviewer@summit.example":
            continue  # leave the demo reviewer's queue for people to try
        # Each reviewer has a slightly different hand: some harsh, some generous.
        lean = rng.choice([-1, 0, 0, 1])
        for proposal, _review in reviewer_queue(summit, reviewer):
            if rng.random() > REVIEWED_SHARE:
                continue
            quality = rng.randint(1, 4)
            scores = {
                c.code: min(
                    c.scale_max, max(c.scale_min, quality + lean + rng.choice([-1, 0, 0, 1]))
                )
                for c in criteria
            }
            services.submit_review(
                proposal,
                reviewer=reviewer,
                scores=scores,
                comment_committee=rng.choice(
                    [
                        "Strong community voice.",
                        "Clear and practical.",
                        "Needs more detail on outcomes.",
                        "",
                    ]
                ),
            )
            written += 1
    return written
