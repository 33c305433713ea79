"""`flask reports export`: the same rows as the web download, audited, or a clear error."""

import csv
import io

from openpyxl import load_workbook

from summit.core.audit import AuditEntry
from summit.extensions import db


def _entries(app):
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEntry)
                .where(AuditEntry.action == "report.export")
                .order_by(AuditEntry.id)
            )
        )


def test_export_csv_to_a_file_is_audited(app, runner, summit_data, tmp_path):
    out = tmp_path / "topics.csv"

    result = runner.invoke(
        args=["reports", "export", "programme-topics", "--summit", "2027", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert [(r["key"], r["proposals"], r["acceptance_rate"]) for r in rows] == [
        ("pillar-family", "3", "67"),
        ("topic-mental-health", "1", ""),
        ("total", "4", "67"),
    ]
    [entry] = _entries(app)
    assert entry.actor_id is None
    assert entry.after["via"] == "cli" and entry.after["scope"] == "all"


def test_export_xlsx_with_a_region_and_spanish_labels(runner, summit_data, tmp_path):
    out = tmp_path / "regions.xlsx"

    result = runner.invoke(
        args=["reports", "export", "participation-roles", "--summit", "2027", "--format",
              "xlsx", "--region", "Central Valley", "--lang", "es", "--out", str(out)]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("key", "label", "registered", "checked_in")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("student", "Estudiante", 1, 1),
        ("family", "Familiar", 1, 1),
        ("total", "Total", 2, 2),
    ]


def test_export_raw_rows_to_stdout(runner, summit_data):
    result = runner.invoke(
        args=["reports", "export", "check-ins", "--summit", "2027", "--out", "-", "--day",
              "2027-09-24"]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert sorted(r["name"] for r in rows) == ["Luis Pérez", "Rosa Pérez"]


def test_export_unknown_name_summit_or_filter_fails_plainly(app, runner, summit_data):
    name = runner.invoke(args=["reports", "export", "salaries", "--summit", "2027"])
    summit = runner.invoke(args=["reports", "export", "proposals", "--summit", "1999"])
    region = runner.invoke(
        args=["reports", "export", "proposals", "--summit", "2027", "--region", "Atlantis"]
    )

    assert name.exit_code != 0 and "No export 'salaries'" in name.output
    assert summit.exit_code != 0 and "No summit '1999'" in summit.output
    assert region.exit_code != 0 and "is not a region of this summit" in region.output
    assert _entries(app) == []
