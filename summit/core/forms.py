"""Form plumbing shared by every domain: common messages, fields, error glue."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from summit.core.errors import DomainError

REQUIRED = _l("This field is required.")


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice; unknown values are dropped by the services."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass


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
