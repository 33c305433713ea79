"""Aggregations against the hand-counted ``summit_data`` (see its docstring)."""

import pytest

from summit.extensions import db
from summit.registration.queries import summit_days
from summit.reports import queries, tables
from summit.reports.queries import ReportFilters
from summit.summits.queries import get_summit_by_slug, regions_by_county
from tests.checkin.conftest import DAY_ONE, DAY_TWO


@pytest.fixture
def summit(app, summit_data):
    with app.test_request_context():
        yield get_summit_by_slug("2027")


def _programme(summit, **filters):
    return queries.count_programme(summit, ReportFilters(**filters), regions_by_county(summit))


def _participation(summit, **filters):
    return queries.count_participation(
        summit, ReportFilters(**filters), regions_by_county(summit), summit_days(summit)
    )


def _rows(table):
    """label -> the numbers after key and label."""
    return {row[1]: list(row[2:]) for row in table.rows}


def test_count_programme_totals_exclude_drafts_and_withdrawn(summit):
    report = _programme(summit)

    total = report.total
    assert (total.proposals, total.accepted, total.not_accepted, total.undecided) == (4, 2, 1, 1)
    assert total.acceptance_rate == 67


def test_count_programme_by_each_dimension_matches_hand_count(summit):
    tables_ = {t.name: t for t in tables.programme_tables(summit, ReportFilters(), "en")}

    assert _rows(tables_["programme-topics"]) == {
        "Family and community engagement": [3, 2, 1, 0, 67],
        "Mental health in school settings": [1, 0, 0, 1, None],
    }
    assert _rows(tables_["programme-formats"]) == {
        "Workshop (60 minutes)": [3, 2, 1, 0, 67],
        "Panel": [1, 0, 0, 1, None],
    }
    assert _rows(tables_["programme-lead-roles"]) == {
        "Student-led": [1, 1, 0, 0, 100],
        "Family-led": [1, 0, 1, 0, 0],
        "Educator-led": [1, 0, 0, 1, None],
        "Partner-led": [1, 1, 0, 0, 100],
    }
    assert _rows(tables_["programme-languages"]) == {
        "English": [2, 0, 1, 1, 0],
        "Spanish": [1, 1, 0, 0, 100],
        "Bilingual (English and Spanish)": [1, 1, 0, 0, 100],
    }
    assert _rows(tables_["programme-counties"]) == {
        "Fresno": [2, 1, 1, 0, 50],
        "Los Angeles": [2, 1, 0, 1, 100],
    }
    assert _rows(tables_["programme-regions"]) == {
        "Central Valley": [2, 1, 1, 0, 50],
        "Greater LA": [2, 1, 0, 1, 100],
    }
    assert tables_["programme-topics"].total[2:] == (4, 2, 1, 1, 67)


def test_review_progress_counts_assigned_against_sent(summit):
    table = tables.get_table(summit, "review-progress", ReportFilters(), "en")

    assert _rows(table) == {
        "Family and community engagement": [1, 1, 1, 100, 1],
        "Mental health in school settings": [1, 2, 1, 50, 0],
    }
    assert table.total[2:] == (2, 3, 2, 67, 1)


def test_count_programme_region_and_topic_filters_narrow_rows(summit):
    central = _programme(summit, region="Central Valley").total
    mental = _programme(summit, topic="topic-mental-health").total
    day_two = _programme(summit, day=DAY_TWO).total

    assert (central.proposals, central.accepted, central.not_accepted) == (2, 1, 1)
    assert (mental.proposals, mental.undecided) == (1, 1)
    assert (day_two.proposals, day_two.accepted) == (1, 1)  # only P4 is on day two


def test_count_participation_totals_and_days(summit):
    report = _participation(summit)

    assert (report.total.registered, report.total.checked_in) == (4, 3)
    assert (report.total.no_shows, report.total.no_show_rate) == (1, 25)
    day_one, day_two = report.by_day[DAY_ONE], report.by_day[DAY_TWO]
    assert (day_one.registered, day_one.checked_in, day_one.no_show_rate) == (3, 2, 33)
    assert (day_two.registered, day_two.checked_in, day_two.no_show_rate) == (4, 2, 50)


def test_participation_tables_by_dimension_match_hand_count(summit):
    tables_ = {t.name: t for t in tables.participation_tables(summit, ReportFilters(), "en")}

    assert _rows(tables_["participation-regions"]) == {
        "Central Coast": [1, 0, 1, 100],
        "Central Valley": [2, 2, 0, 0],
        "Greater LA": [1, 1, 0, 0],
    }
    assert _rows(tables_["participation-roles"]) == {
        "Educator": [2, 1, 1, 50],
        "Student": [1, 1, 0, 0],
        "Family member": [1, 1, 0, 0],
    }
    assert _rows(tables_["participation-ticket-types"]) == {
        "Family member": [3, 2, 1, 33],
        "Youth": [1, 1, 0, 0],
    }
    assert _rows(tables_["participation-counties"]) == {
        "Fresno": [2, 2, 0, 0],
        "Los Angeles": [1, 1, 0, 0],
        "Ventura": [1, 0, 1, 100],
    }
    needs = _rows(tables_["accommodations"])
    assert needs["ASL interpreter"] == [1, 1, 100]
    assert needs["Spanish interpretation"] == [1, 1, 100]
    assert needs["Dietary needs"] == [1, 0, 0]
    assert needs["Wheelchair access"] == [0, 0, None]


def test_participation_sessions_against_capacity_and_stars(summit):
    tables_ = {t.name: t for t in tables.participation_tables(summit, ReportFilters(), "en")}

    sessions = {row[1]: row[6:] for row in tables_["sessions"].rows}
    assert sessions == {
        "Young voices": (2, 3, 2, 100, 67),
        "Partners at the table": (30, 1, 0, 0, 0),
    }
    assert _rows(tables_["topic-attendance"]) == {
        "Family and community engagement": [2, 32, 4, 2, 6],
    }


def test_participation_day_filter_counts_that_day_only(summit):
    report = _participation(summit, day=DAY_ONE)

    assert (report.total.registered, report.total.checked_in) == (3, 2)
    assert list(report.by_day) == [DAY_ONE]
    assert (report.needs["asl"].requested, report.needs["asl"].delivered) == (1, 1)
    assert (report.needs["dietary"].requested, report.needs["dietary"].delivered) == (1, 0)
    assert [s.title for s in report.sessions] == ["Young voices"]


def test_participation_region_filter_counts_region_people_in_sessions(summit):
    report = _participation(summit, region="Central Valley")

    assert (report.total.registered, report.total.checked_in) == (2, 2)
    counts = {s.title: (s.checked_in, s.stars) for s in report.sessions}
    assert counts == {"Young voices": (1, 1), "Partners at the table": (0, 1)}


def test_dashboards_use_a_fixed_number_of_statements(app, summit):
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        tables.programme_tables(summit, ReportFilters(), "en")
        programme = len(statements)
        statements.clear()
        tables.participation_tables(summit, ReportFilters(), "en")
        participation = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert programme <= 6
    assert participation <= 9
