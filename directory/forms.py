"""Form pieces shared by several blueprints."""

from __future__ import annotations

import math

from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: accessible without JavaScript, unlike a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip(value):
    return value.strip() if isinstance(value, str) else value


def choices(options, blank: str | None = None) -> list[SelectChoice]:
    """Choices from a vocabulary (slug -> label) or (value, label) pairs, optionally a blank."""
    pairs = list(options.items()) if isinstance(options, dict) else list(options)
    first = [SelectChoice(value="", label=blank)] if blank is not None else []
    return first + [SelectChoice(value=v, label=label) for v, label in pairs]


def parse_number(value, *, minimum: float | None = None, maximum: float | None = None):
    """A finite number from form or query text, or None when blank or not a number.

    Forms and views call this instead of float(), which turns " ", "nan" or "1e999" into a
    500 or into nonsense further down.
    """
    if value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if minimum is not None and number < minimum or maximum is not None and number > maximum:
        return None
    return number
