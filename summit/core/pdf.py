"""PDFs from templates with WeasyPrint, never touching the network or the disk.

WeasyPrint needs Debian's Pango; without it the app still runs and a PDF request
fails with ``PdfUnavailable`` (503) and a message saying what to do instead."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from summit.core.errors import DomainError


class PdfUnavailable(DomainError):
    status = 503


def render_pdf(template: str, *, locale: str, unavailable: str, **context) -> bytes:
    """``template`` rendered in ``locale`` as a PDF. Every resource must be inline
    (``data:`` URLs): the fetcher refuses any other URL. ``unavailable`` is the message
    when WeasyPrint cannot load."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:  # OSError: Pango's shared library is missing
        current_app.logger.warning("PDFs unavailable (%s): %s", template, error)
        raise PdfUnavailable("pdf_unavailable", unavailable) from error
    with force_locale(locale):
        html = render_template(template, locale=locale, **context)
    document = weasyprint.HTML(
        string=html,
        base_url=str(Path(current_app.root_path).parent),
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    )
    return document.write_pdf()
