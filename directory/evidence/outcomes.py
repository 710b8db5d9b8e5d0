"""Outcomes of introductions: recording what each side answered on the outcome form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from directory.evidence.ladder import DIFFERENCE_KINDS, FOLLOW_UPS, LADDER, stages_reached
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


@dataclass(frozen=True)
class ShownOutcome:
    """One recorded outcome as the introduction's page shows it."""

    who: str
    follow_up: str
    recorded_at: datetime
    answers: list[tuple[str, str]]
    stages: list[str]
    story: str
    story_shared: bool
    comment: str


def _yes_no(answer: bool | None) -> str:
    return "Not answered" if answer is None else ("Yes" if answer else "No")


def shown_outcomes(intro: Introduction) -> list[ShownOutcome]:
    """What each side (or a coordinator for one) answered, at 30 or 90 days or unprompted, for
    the people who may see the introduction. Sides are named by their organisation; who filled
    in the form, and anyone's contact details, are not shown."""
    shown = []
    for o in intro.outcomes:
        helped = [TOPICS.get(t, t) for t in o.helped_needs or ()]
        differences = [DIFFERENCE_KINDS.get(k, k) for k in o.difference_kinds or ()]
        stages = stages_reached(
            o.usefulness, o.learned, o.applied, o.difference_kinds or (), o.reframed
        )
        shown.append(
            ShownOutcome(
                who=o.business.name if o.business else "A coordinator",
                follow_up=f"{o.follow_up_days}-day follow-up"
                if o.follow_up_days
                else "Recorded without a follow-up",
                recorded_at=o.created_at,
                answers=[
                    ("Met", "Yes" if o.met else "Not yet"),
                    ("Usefulness", f"{o.usefulness} out of 5" if o.usefulness else "Not answered"),
                    ("Helped with", ", ".join(helped) or "None ticked"),
                    ("Learned something they can use", _yes_no(o.learned)),
                    ("Changed what they do", _yes_no(o.applied)),
                    ("Difference made so far", ", ".join(differences) or "None yet"),
                    ("Changed how they or their funders see things", _yes_no(o.reframed)),
                ],
                stages=[LADDER[s].split(":")[0] for s in stages],
                story=o.story,
                story_shared=o.share_story,
                comment=o.comment,
            )
        )
    return shown
