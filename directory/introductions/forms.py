"""Forms of the introductions workflow."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from directory.evidence.ladder import DIFFERENCE_KINDS
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


YES_NO = {"yes": "Yes", "no": "No"}


def yes_no(label: str, description: str = "") -> RadioField:
    """An optional yes/no question that starts unanswered (None when left so)."""
    return RadioField(
        label, choices=choices(YES_NO), validators=[Optional()], description=description
    )


class OutcomeForm(FlaskForm):
    """The 30- and 90-day outcome form: one question per value-creation cycle, nothing
    pre-ticked, so the evidence funders read is exactly what people said."""

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
    helped_needs = MultiCheckboxField(
        "Which of your needs did it help with?",
        choices=[],
        description="Tick only the ones it helped with.",
    )
    learned = yes_no("Did you learn something you can use?")
    applied = yes_no("Have you changed what you do because of it?")
    difference_kinds = MultiCheckboxField(
        "What difference has it made so far?",
        choices=choices(DIFFERENCE_KINDS),
        description="Tick any that apply; leave all unticked if none yet.",
    )
    reframed = yes_no(
        "Did it change how you, or your funders, see things?",
        description="For example a new idea of what your organisation is for or could do.",
    )
    story = TextAreaField(
        "Your story (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
        description="What happened because of this introduction, in a few sentences.",
    )
    share_story = BooleanField(
        "You may share this story, without our contact details, in the network's evidence"
    )
    comment = TextAreaField(
        "Anything else? (seen by the other side and the coordinators, never in evidence)",
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
    )

    @staticmethod
    def answer(value: str | None) -> bool | None:
        return {"yes": True, "no": False}.get(value or "")


class ReportForm(FlaskForm):
    reason = TextAreaField(
        "What is the problem?",
        filters=[strip],
        validators=[
            DataRequired(message="Tell us what the problem is."),
            Length(max=4000),
        ],
    )
