"""Form pieces shared by several blueprints."""

from __future__ import annotations

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
