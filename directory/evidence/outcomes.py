"""Outcomes of introductions: recording what each side answered on the outcome form."""

from __future__ import annotations

from dataclasses import dataclass, field

from directory.evidence.ladder import DIFFERENCE_KINDS, FOLLOW_UPS
from directory.extensions import db
from directory.introductions import states as st
from directory.introductions.commands import NotAllowed, RuleError
from directory.introductions.permissions import allowed, owns
from directory.models import Introduction, Outcome, User
from matching.vocab import TOPICS


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
