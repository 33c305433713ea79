from datetime import date

from sqlalchemy import func, select

from summit.accounts.queries import get_user_by_email
from summit.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG, seed
from summit.extensions import db
from summit.summits.queries import get_current_summit, list_tracks, roles_of


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_seed_creates_the_sacramento_summit_as_current(ctx):
    summit, _users = seed()
    db.session.commit()

    assert summit.slug == DEMO_SLUG == "2027"
    assert summit.name == "Community Schools Summit 2027"
    assert summit.name_es == "Cumbre de Escuelas Comunitarias 2027"
    assert "Sacramento" in summit.venue
    assert (summit.starts_on, summit.ends_on, summit.days) == (
        date(2027, 9, 23),
        date(2027, 9, 24),
        2,
    )
    assert summit.timezone == "America/Los_Angeles"
    assert summit.cfp_opens_at < summit.cfp_closes_at < summit.review_deadline_at
    assert summit.registration_opens_at < summit.registration_closes_at
    assert get_current_summit() is summit
    assert len(list_tracks(summit)) == 21


def test_seed_creates_verified_demo_accounts_with_their_roles(ctx):
    summit, _users = seed()
    db.session.commit()

    for account in DEMO_ACCOUNTS:
        user = get_user_by_email(account.email)
        assert user.is_verified, account.email
        assert user.is_admin is account.is_admin
        assert user.preferred_language == account.language
        expected = {account.role.value} if account.role else set()
        assert roles_of(user, summit) == expected, account.email


def test_seed_twice_gives_the_same_rows(ctx):
    seed()
    db.session.commit()
    first = _row_counts()

    seed()
    db.session.commit()

    assert _row_counts() == first
    assert first["summits"] == 1
    assert first["tracks"] == 21
    assert first["summit_roles"] >= sum(1 for a in DEMO_ACCOUNTS if a.role)
    assert first["agendas"] >= 300 and first["stars"] >= 1000
    assert first["reservations"] > first["seat_pools"] >= 1


def test_seed_demo_attendee_logs_in_to_a_full_agenda_with_a_seat(app, client):
    with app.app_context():
        seed()
        db.session.commit()
    client.post(
        "/account/login", data={"email": "presenter@summit.example", "password": DEMO_PASSWORD}
    )

    html = client.get("/2027/agenda").get_data(as_text=True)

    assert "The agenda of Pat Presenter." in html
    assert "Seat reserved" in html
    assert "webcal://" in client.get("/2027/agenda/calendar").get_data(as_text=True)


def test_seed_demo_staff_can_log_in_and_open_staff_pages(app, client):
    with app.app_context():
        seed()
        db.session.commit()

    login = client.post(
        "/account/login", data={"email": "staff@summit.example", "password": DEMO_PASSWORD}
    )

    assert login.status_code == 302
    assert client.get("/2027/staff/settings").status_code == 200
