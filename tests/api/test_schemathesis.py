"""Schemathesis over the whole OpenAPI document, against an app with demo data.

Every documented operation gets generated requests (ones that fit the document and
ones that break it) as the demo staff member, who also reviews, with a bearer token.
A request fails the test when the answer is a 5xx, a status code the document does
not list, a body or header that does not match its schema, or a content type the
document does not declare.

The demo data is a smaller set made by the same seed functions as ``flask demo seed``
(30 proposals, 60 registrations, the released schedule), seeded once for the module.
Runs on both databases: about 35 s on SQLite and 65 s on PostgreSQL on a loaded 2-core
machine, most of it the seed and the schedule solver.

The operations are parametrised by hand (``as_strategy`` under ``hypothesis.given``)
rather than with ``schemathesis.pytest.from_fixture``: its lazy loader renames pytest
items through ``Node._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from summit import create_app
from summit.extensions import db
from tests.conftest import _config, _empty_tables

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MAX_EXAMPLES = 20


def _seed_small_demo() -> dict:
    """The demo summit with fewer proposals and registrations; returns real codes."""
    from summit.accounts.services import create_api_token
    from summit.core.errors import DomainError
    from summit.demo import services as demo
    from summit.demo.agenda import seed_agendas
    from summit.demo.proposals import seed_proposals
    from summit.demo.registrations import seed_registrations
    from summit.demo.reviews import seed_reviews
    from summit.demo.schedule import seed_schedule
    from summit.proposals.enums import ProposalState
    from summit.proposals.models import Proposal
    from summit.registration.models import Attendee
    from summit.reviews.services import add_assignment
    from summit.scheduling.programme import list_released
    from summit.summits.enums import Role
    from summit.summits.services import grant_role

    summit = demo.seed_summit()
    users = {u.email: u for u in demo.seed_accounts(summit)}
    demo.seed_regions(summit)
    demo.seed_ticket_types(summit)
    seed_proposals(summit, target=30)
    seed_reviews(summit)
    seed_registrations(summit, target=60)
    seed_schedule(summit)
    seed_agendas(summit)
    staff = users["staff@summit.example"]
    grant_role(summit, staff, Role.REVIEWER, actor=None)  # the reviewer queue too
    under_review = db.session.scalars(
        select(Proposal)
        .where(Proposal.summit_id == summit.id, Proposal.state == ProposalState.UNDER_REVIEW)
        .order_by(Proposal.id)
        .limit(8)
    ).all()
    assigned = []
    for proposal in under_review:
        try:
            add_assignment(proposal, staff, actor=None)
        except DomainError:
            continue  # a conflict: leave it
        assigned.append(proposal.code)
    token = create_api_token(staff, "schemathesis").secret
    db.session.commit()
    others = db.session.scalars(
        select(Proposal.code).where(Proposal.summit_id == summit.id).order_by(Proposal.id)
    ).all()
    return {
        "token": token,
        "slug": summit.slug,
        "assigned": assigned[:4],
        "proposals": assigned[:2] + [c for c in others if c not in assigned][:4],
        "sessions": [s.code for s in list_released(summit)[:8]],
        "attendees": db.session.scalars(
            select(Attendee.code)
            .where(Attendee.summit_id == summit.id)
            .order_by(Attendee.id)
            .limit(8)
        ).all(),
    }


def _draft_as(client, token: str, slug: str) -> str:
    """A draft the token's owner leads, made through the API like a client would."""
    response = client.post(
        f"/api/v1/summits/{slug}/proposals",
        json={"title": "Family nights that families plan"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["code"]


@pytest.fixture(scope="module")
def demo(_schema, smtp_server):
    _box, port = smtp_server
    app = create_app("testing", **_config(_schema, port))
    with app.app_context():
        seeded = _seed_small_demo()
        db.session.remove()
    client = app.test_client()
    seeded["drafts"] = [_draft_as(client, seeded["token"], seeded["slug"]) for _ in range(2)]
    seeded["proposals"] += seeded["drafts"]
    yield app, seeded
    _empty_tables(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(demo):
    app, _seeded = demo
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, read from a bare app's document."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    ]


def _strategy(operation, mode: GenerationMode, seeded: dict):
    """Generated cases; most of them on the demo summit with real codes, so they get
    past the 404s, the rest with whatever the generator made up."""
    names = {p.name for p in operation.path_parameters}
    generated = operation.as_strategy(generation_mode=mode)
    if not names:
        return generated
    codes = seeded["proposals"]  # some assigned to the staff member, some their drafts
    if "/attendees/" in operation.path:
        codes = seeded["attendees"]
    elif "/schedule/sessions/" in operation.path:
        codes = seeded["sessions"]
    elif "/review/" in operation.path:
        codes = seeded["assigned"]
    elif "/v1/proposals/" in operation.path and operation.method.lower() != "get":
        codes = seeded["drafts"]

    def real(code: str):
        values = {"slug": seeded["slug"], "code": code}
        return operation.as_strategy(
            generation_mode=mode, path_parameters={k: v for k, v in values.items() if k in names}
        )

    return st.one_of(st.sampled_from(codes).flatmap(real), generated)


@pytest.mark.parametrize(
    ("method", "path"), _operations(), ids=lambda value: value.replace("/api/v1", "")
)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_operation_conforms_to_the_openapi_document(api_schema, demo, method, path, mode):
    _app, seeded = demo
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {seeded['token']}"}

    @hypothesis.given(case=_strategy(operation, mode, seeded))
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("nothing in this operation's input can be made invalid")
