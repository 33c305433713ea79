from datetime import date

from summit.summits.queries import get_current_summit, get_summit_by_slug


def _create(runner, slug="2028", *extra):
    args = ["summits", "create", slug, "--name", "Summit 2028"]
    args += ["--starts", "2028-09-21", "--ends", "2028-09-22", "--venue", "Fresno"]
    return runner.invoke(args=[*args, *extra])


def test_create_makes_a_summit_with_framework_tracks(app, runner):
    result = _create(runner)

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created summit 2028 with 21 tracks"
    with app.app_context():
        summit = get_summit_by_slug("2028")
        assert (summit.name, summit.venue, summit.starts_on, summit.ends_on) == (
            "Summit 2028",
            "Fresno",
            date(2028, 9, 21),
            date(2028, 9, 22),
        )
        assert summit.is_current is False


def test_create_current_without_tracks(app, runner, make_summit):
    make_summit("2027")

    result = _create(runner, "2028", "--current", "--no-tracks", "--timezone", "UTC")

    assert result.output.strip() == "created summit 2028 with 0 tracks"
    with app.app_context():
        assert get_current_summit().slug == "2028"
        assert get_summit_by_slug("2028").timezone == "UTC"


def test_create_duplicate_slug_fails_with_message(runner, make_summit):
    make_summit("2028")

    result = _create(runner, "2028")

    assert result.exit_code == 1
    assert "Another summit already uses this web address." in result.output


def test_create_bad_timezone_fails_and_creates_nothing(app, runner):
    result = _create(runner, "2028", "--timezone", "Mars/Olympus")

    assert result.exit_code == 1
    assert "Mars/Olympus is not a time zone we know." in result.output
    with app.app_context():
        assert get_summit_by_slug("2028") is None


def test_create_dates_out_of_order_fails_with_message(runner):
    result = runner.invoke(
        args=[
            "summits",
            "create",
            "2028",
            "--name",
            "X",
            "--starts",
            "2028-09-22",
            "--ends",
            "2028-09-21",
        ]
    )

    assert result.exit_code == 1
    assert "Some dates are out of order." in result.output


def test_create_not_a_date_is_refused_by_the_option(runner):
    result = runner.invoke(
        args=[
            "summits",
            "create",
            "2028",
            "--name",
            "X",
            "--starts",
            "soon",
            "--ends",
            "2028-09-21",
        ]
    )

    assert result.exit_code == 2
    assert "soon" in result.output
