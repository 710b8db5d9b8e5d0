"""Forms for joining networks, claiming profiles, and the admins' network management."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from directory.forms import choices, strip


class JoinForm(FlaskForm):
    business = SelectField(
        "Which of your businesses?", validators=[DataRequired(message="Choose your business.")]
    )
    network = SelectField("Which network?", validators=[DataRequired(message="Choose a network.")])
    message = TextAreaField(
        "A note to the coordinator (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )


class EvidenceForm(FlaskForm):
    evidence = TextAreaField(
        "How are you connected to this organisation?",
        filters=[strip],
        validators=[
            DataRequired(message="Tell the coordinator how you are connected to it."),
            Length(max=4000),
        ],
        description="For example your role, and a phone number or address the coordinator "
        "can check with the organisation.",
    )


class DecisionForm(FlaskForm):
    """Approve or refuse (the button pressed), with a note; a refusal needs one."""

    decision = SelectField(choices=choices({"approve": "Approve", "refuse": "Refuse"}))
    note = TextAreaField(
        "Note (the person asking sees it)", filters=[strip], validators=[Length(max=2000)]
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.decision.data == "refuse" and not self.note.data:
            self.note.errors.append("Give a reason for refusing: the person asking sees it.")
            return False
        return ok


class NetworkForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=160)])
    slug = StringField(
        "Short name for links (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=80)],
    )
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=2000)])


class CoordinatorForm(FlaskForm):
    email = EmailField(
        "Coordinator's email",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the email address of an account."),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
    )
