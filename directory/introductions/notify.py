"""The introductions' emails: one template each in templates/email/, subject on its first line.

Every message speaks to its reader: the target reads what it can offer and what the requester
needs, the requester reads what the target offers.
"""

from __future__ import annotations

from flask import render_template

from directory import accounts, mail
from directory.links import external_url
from directory.models import Business, Introduction
from directory.places import distance_km
from matching.vocab import SECTORS, TOPICS

link = external_url


def _topics(slugs) -> str:
    return "; ".join(TOPICS[t].lower() for t in TOPICS if t in slugs)


def reasons_for_target(intro: Introduction) -> list[str]:
    """Why this request may suit the target, in the target's words (not the requester's)."""
    requester, target = intro.requester, intro.target
    needs = set(intro.needs_at_request or requester.needs)
    reasons = []
    if gives := needs & set(target.offers):
        reasons.append(f"They need help with {_topics(gives)}, which you offer")
    if intro.kind == "peer" and (shared := needs & set(target.needs)):
        reasons.append(f"You both need help with {_topics(shared)}")
    if back := set(requester.offers) & set(target.needs):
        reasons.append(f"They can help with {_topics(back)}, which you need")
    if common := [s for s in requester.sectors if s in target.sectors and s != "other"]:
        reasons.append(f"You both work in {SECTORS[common[0]].lower()}")
    km = distance_km((requester.latitude, requester.longitude), (target.latitude, target.longitude))
    reasons.append("Less than 1 km from you" if round(km) == 0 else f"{round(km)} km from you")
    return reasons


def send(template: str, to: str | list[str], intro: Introduction | None = None, **extra) -> None:
    """Queue one email per address (sent after the caller commits); blank addresses skipped."""
    page = link("introductions.detail", intro_id=intro.id) if intro and intro.id else ""
    needs = [TOPICS[t].lower() for t in (intro.needs_at_request if intro else []) if t in TOPICS]
    text = render_template(
        f"email/{template}.txt", intro=intro, page=page, link=link, needs=needs, **extra
    )
    subject, _, body = text.strip().partition("\n")
    for address in [to] if isinstance(to, str) else to:
        if address:
            mail.enqueue(address, subject.strip(), body.strip() + "\n")


def invitation_link(intro: Introduction, target: Business) -> str:
    """A signed, single-use link that lets a business without an account answer."""
    token = accounts.make_token("invitation", intro=intro.id, business=target.id)
    return link("introductions.invitation", token=token)


def invite(intro: Introduction) -> None:
    """Email an approved request to a business without an account, at its contact address."""
    send(
        "invitation",
        intro.target.email,
        intro,
        answer=invitation_link(intro, intro.target),
        reasons=reasons_for_target(intro),
        days=accounts.lifetime("invitation").days,
    )
