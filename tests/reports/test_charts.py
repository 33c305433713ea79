"""Bar-chart geometry: pure, proportional, and empty when there is nothing to draw."""

import ast
from pathlib import Path

from summit.reports import charts


def test_horizontal_bars_scale_to_a_round_peak():
    chart = charts.horizontal_bars([("Fresno", [40, 10]), ("Kern", [20, 0])])

    assert chart.peak == 50
    assert [t.label for t in chart.ticks] == ["0", "10", "20", "30", "40", "50"]
    fresno, kern = chart.rows
    span = chart.plot_right - chart.plot_left
    assert fresno.bars[0].width == round(span * 40 / 50, 1)
    assert (kern.bars[0].width, kern.bars[1].width) == (round(span * 20 / 50, 1), 0)
    assert [b.series for b in fresno.bars] == [0, 1]
    assert fresno.bars[0].y < fresno.bars[1].y < kern.bars[0].y


def test_vertical_bars_grow_up_from_the_baseline():
    chart = charts.vertical_bars([("Thu", [3, 2]), ("Fri", [4, 2])])

    assert chart.peak == 5
    for row in chart.rows:
        for bar in row.bars:
            assert round(bar.y + bar.height, 1) == chart.plot_bottom
    assert chart.rows[1].bars[0].height > chart.rows[0].bars[0].height


def test_charts_nothing_to_draw_is_none_and_long_labels_are_shortened():
    assert charts.horizontal_bars([]) is None
    assert charts.vertical_bars([("Thu", [0, 0])]) is None
    chart = charts.horizontal_bars([("Sustaining community schools through partnerships", [1])])
    assert chart.rows[0].label.endswith("…") and len(chart.rows[0].label) == charts.MAX_LABEL
    assert chart.rows[0].full_label.startswith("Sustaining community schools")


def test_nice_peak_rounds_up_to_one_two_or_five():
    assert [charts.nice_peak(v) for v in (0, 1, 3, 7, 12, 250, 999)] == [1, 1, 5, 10, 20, 500,
                                                                         1000]  # fmt: skip


def test_charts_module_imports_no_flask_and_no_database():
    tree = ast.parse(Path(charts.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m for m in imported if m.split(".")[0] in {"flask", "sqlalchemy", "summit"}}
