"""Outcomes of introductions and the value-creation ladder they are placed on.

Evaluators of communities of practice read value in cycles (Wenger-Trayner): immediate value
(the conversation was useful), potential (something learned that can be used), applied (a
change in practice), realised (a difference in money, time, services or people) and reframing
(a change in how the organisation or its funders see things). The outcome form asks one
question per cycle; `stages_reached` is the one rule that turns answers into cycles, used by the
form's confirmation, the figures and the exports alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directory.extensions import db
from directory.introductions import states as st
from directory.introductions.workflow import NotAllowed, RuleError, allowed, owns
from directory.models import Introduction, Outcome, User
from matching.vocab import TOPICS

LADDER = {
    "immediate": "Immediate value: the conversation was useful",
    "potential": "Potential value: learned something they can use",
    "applied": "Applied value: changed what they do",
    "realised": "Realised value: made a difference in money, time, services or people",
    "reframing": "Reframing value: changed how they or their funders see things",
}
DIFFERENCE_KINDS = {
    "money": "Money (saved or raised)",
    "time": "Time saved",
    "services": "New or better services",
    "people": "People: volunteers, members, staff or users",
}
# A usefulness rating at or above this counts as "rated useful" (immediate value).
USEFUL_MIN = 4
FOLLOW_UPS = (30, 90)


@dataclass
class OutcomeAnswers:
    """What one person answered; None means the question was left unanswered."""

    met: bool | None
    usefulness: int | None = None
    helped_needs: list[str] = field(default_factory=list)
    learned: bool | None = None
    applied: bool | None = None
    difference_kinds: list[str] = field(default_factory=list)
    reframed: bool | None = None
    comment: str = ""
    story: str = ""
    share_story: bool = False
    follow_up_days: int | None = None


def stages_reached(
    usefulness: int | None,
    learned: bool | None,
    applied: bool | None,
    difference_kinds: list[str] | tuple[str, ...],
    reframed: bool | None,
) -> list[str]:
    """The ladder stages an answer reaches; each is counted on its own (a realised difference
    without a reported lesson still counts as realised)."""
    reached = {
        "immediate": usefulness is not None and usefulness >= USEFUL_MIN,
        "potential": bool(learned),
        "applied": bool(applied),
        "realised": bool(difference_kinds),
        "reframing": bool(reframed),
    }
    return [stage for stage in LADDER if reached[stage]]


def record_outcome(intro: Introduction, actor: User, answers: OutcomeAnswers) -> Outcome:
    """Save exactly what was answered: unticked needs and questions stay unticked."""
    if not allowed(actor, "outcome", intro):
        raise NotAllowed("You cannot record an outcome for this introduction.")
    if intro.state not in st.CONTACTS_SHARED:
        raise RuleError("Outcomes can be recorded once the introduction has been accepted.")
    if answers.usefulness is not None and not 1 <= answers.usefulness <= 5:
        raise RuleError("Usefulness is from 1 to 5.")
    unknown = set(answers.helped_needs) - set(intro.needs_at_request or ())
    if unknown:
        raise RuleError("Choose only needs this introduction was asked for.")
    if set(answers.difference_kinds) - set(DIFFERENCE_KINDS):
        raise RuleError("Choose the kinds of difference from the list.")
    if answers.follow_up_days not in (None, *FOLLOW_UPS):
        answers.follow_up_days = None
    story = answers.story.strip()
    side = next((b for b in (intro.requester, intro.target) if owns(actor, b)), None)
    outcome = Outcome(
        introduction=intro,
        business=side,
        recorded_by=actor,
        met=answers.met,
        usefulness=answers.usefulness,
        helped_needs=[t for t in dict.fromkeys(answers.helped_needs) if t in TOPICS],
        learned=answers.learned,
        applied=answers.applied,
        difference_kinds=list(dict.fromkeys(answers.difference_kinds)),
        reframed=answers.reframed,
        comment=answers.comment.strip(),
        story=story,
        share_story=bool(answers.share_story and story),
        follow_up_days=answers.follow_up_days,
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome


def answers_from(form, args) -> OutcomeAnswers:
    """The form's answers; `args` may carry ?after=30 or 90 from the follow-up email's link."""
    after = args.get("after", "")
    return OutcomeAnswers(
        met=form.met.data == "yes",
        usefulness=int(form.usefulness.data) if form.usefulness.data else None,
        helped_needs=list(form.helped_needs.data or []),
        learned=form.answer(form.learned.data),
        applied=form.answer(form.applied.data),
        difference_kinds=list(form.difference_kinds.data or []),
        reframed=form.answer(form.reframed.data),
        comment=form.comment.data or "",
        story=form.story.data or "",
        share_story=bool(form.share_story.data),
        follow_up_days=int(after) if after.isdigit() and int(after) in FOLLOW_UPS else None,
    )
