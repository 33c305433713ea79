from datetime import date

import pytest
from flask_login import AnonymousUserMixin

from summit.accounts.services import create_user
from summit.summits import policies
from summit.summits.services import create_summit, grant_role
from tests.conftest import PASSWORD


@pytest.fixture
def summit(ctx):
    return create_summit(
        slug="2027",
        name="Summit",
        starts_on=date(2027, 9, 23),
        ends_on=date(2027, 9, 24),
        actor=None,
        seed_tracks=False,
    )


def _person(summit, *roles, admin=False):
    user = create_user(
        email=f"{'-'.join(roles) or 'nobody'}{'-admin' if admin else ''}@example.org",
        password=PASSWORD,
        name="Person",
        is_admin=admin,
    )
    for role in roles:
        grant_role(summit, user, role, actor=None)
    return user


@pytest.mark.parametrize(
    ("roles", "admin", "manage", "review", "check_in", "create"),
    [
        ((), False, False, False, False, False),
        (("staff",), False, True, True, True, False),
        (("reviewer",), False, False, True, False, False),
        (("door",), False, False, False, True, False),
        (("reviewer", "door"), False, False, True, True, False),
        ((), True, True, True, True, True),
    ],
)
def test_policies_follow_the_role_table(summit, roles, admin, manage, review, check_in, create):
    user = _person(summit, *roles, admin=admin)

    assert policies.can_manage_summit(user, summit) is manage
    assert policies.can_review(user, summit) is review
    assert policies.can_check_in(user, summit) is check_in
    assert policies.can_create_summit(user) is create


def test_policies_anonymous_visitor_may_do_nothing(summit):
    visitor = AnonymousUserMixin()

    assert not policies.can_manage_summit(visitor, summit)
    assert not policies.can_review(visitor, summit)
    assert not policies.can_check_in(visitor, summit)
    assert not policies.can_create_summit(visitor)
