"""Forms of the introductions workflow."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from directory.forms import MultiCheckboxField, choices, strip

KINDS = {
    "peer": "As a peer: a business like ours to compare notes with",
    "mentor": "As a mentor: further along, to help with what we need",
}


class RequestForm(FlaskForm):
    from_business = SelectField(
        "Introduce which of your businesses?",
        validators=[InputRequired(message="Choose your business.")],
    )
    kind = RadioField(
        "How would you like to meet?",
        choices=choices(KINDS),
        validators=[InputRequired(message="Choose peer or mentor.")],
    )
    message = TextAreaField(
        "Your message",
        filters=[strip],
        validators=[
            DataRequired(message="Write a short message: what you hope to learn."),
            Length(max=2000),
        ],
        description="What you hope to learn. The coordinator and the other business see it.",
    )


class ApproveForm(FlaskForm):
    note = TextAreaField(
        "Note to both businesses (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason (the requester sees it)",
        filters=[strip],
        validators=[
            DataRequired(message="Give a reason: the requester will see it."),
            Length(max=2000),
        ],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)", filters=[strip], validators=[Optional(), Length(max=2000)]
    )


class OutcomeForm(FlaskForm):
    met = RadioField(
        "Did you meet?",
        choices=choices({"yes": "Yes", "no": "Not yet"}),
        validators=[InputRequired(message="Tell us whether you met.")],
    )
    usefulness = RadioField(
        "How useful was it?",
        choices=choices(
            {
                str(i): f"{i}{' (not useful)' if i == 1 else ''}"
                f"{' (very useful)' if i == 5 else ''}"
                for i in range(1, 6)
            }
        ),
        validators=[Optional()],
    )
    helped_needs = MultiCheckboxField("Which of your needs did it help with?", choices=[])
    comment = TextAreaField(
        "Anything else?", filters=[strip], validators=[Optional(), Length(max=4000)]
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(
        "What is the problem?",
        filters=[strip],
        validators=[
            DataRequired(message="Tell us what the problem is."),
            Length(max=4000),
        ],
    )
