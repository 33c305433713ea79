"""Spreadsheet downloads: CSV that Excel opens in UTF-8 and that can't run formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response


def neutralise_cell(value) -> str:
    """Spreadsheet-safe text: a cell starting with = + - @ (or tab/CR) cannot become a formula."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in row])
    return Response(
        "\ufeff" + buffer.getvalue(),  # a BOM so spreadsheet apps read UTF-8
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
