"""The value-creation ladder outcomes are placed on (no imports of the app: forms use it too).

Evaluators of communities of practice read value in cycles (Wenger-Trayner): immediate value
(the conversation was useful), potential (something learned that can be used), applied (a
change in practice), realised (a difference in money, time, services or people) and reframing
(a change in how the organisation or its funders see things). The outcome form asks one
question per cycle; `stages_reached` is the one rule that turns answers into cycles, used by the
exports and the stories; `stage_masks` is the same rule for arrays of answers, used by the
figures (a test holds the two to the same answers).
"""

from __future__ import annotations

import numpy as np

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


def stage_masks(
    usefulness: np.ndarray,
    learned: np.ndarray,
    applied: np.ndarray,
    has_differences: np.ndarray,
    reframed: np.ndarray,
) -> dict[str, np.ndarray]:
    """`stages_reached` for many answers at once: per stage, which answers reach it.
    `usefulness` is float with NaN for unanswered; the yes/no columns may hold None."""
    return {
        "immediate": usefulness >= USEFUL_MIN,
        "potential": learned.astype(bool),
        "applied": applied.astype(bool),
        "realised": has_differences.astype(bool),
        "reframing": reframed.astype(bool),
    }
