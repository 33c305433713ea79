"""Glue between domain errors and Flask-WTF forms."""

from summit.core.errors import DomainError


def apply_errors(form, error: DomainError) -> bool:
    """Show a DomainError's field messages on the form; True if any field matched."""
    matched = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *[m for m in messages if m]]
            matched = True
    return matched


def status_for(form) -> int:
    """422 when the form is shown again with errors, so tests and clients can tell."""
    return 422 if form.errors else 200
