"""The visitor's short form: enough about a business to suggest peers and mentors."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from directory import places
from directory.forms import MultiCheckboxField, choices, strip
from matching.vocab import SECTORS, STAGES, TOPICS

DISTANCES = {
    "": "Any distance",
    "10": "Within 10 km",
    "25": "Within 25 km",
    "50": "Within 50 km",
    "100": "Within 100 km",
    "200": "Within 200 km",
}


class TryMatchingForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes, and links to results can be shared

    sector = SelectField(
        "Sector",
        choices=choices(SECTORS, "Choose a sector"),
        validators=[InputRequired(message="Choose a sector.")],
    )
    stage = SelectField(
        "Stage",
        choices=choices(STAGES, "Choose a stage"),
        validators=[InputRequired(message="Choose the stage you are at.")],
    )
    where = StringField(
        "Postcode or town",
        filters=[strip],
        validators=[InputRequired(message="Give a postcode or a town."), Length(max=120)],
    )
    needs = MultiCheckboxField("What would you like help with?", choices=choices(TOPICS))
    max_km = SelectField("Distance", choices=choices(DISTANCES), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.place = None
        if ok:
            try:
                self.place = places.resolve_place_text(self.where.data)
            except places.LocationError as exc:
                self.where.errors.append(str(exc))
                return False
        return ok
