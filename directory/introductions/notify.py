"""The introductions' emails: one template each in templates/email/, subject on its first line."""

from __future__ import annotations

from flask import render_template

from directory import mail
from directory.links import external_url
from directory.models import Introduction
from matching.vocab import TOPICS

link = external_url


def send(template: str, to: str | list[str], intro: Introduction | None = None, **extra) -> None:
    """Queue one email per address (sent after the caller commits)."""
    page = link("introductions.detail", intro_id=intro.id) if intro and intro.id else ""
    needs = [TOPICS[t].lower() for t in (intro.needs_at_request if intro else []) if t in TOPICS]
    text = render_template(
        f"email/{template}.txt", intro=intro, page=page, link=link, needs=needs, **extra
    )
    subject, _, body = text.strip().partition("\n")
    for address in [to] if isinstance(to, str) else to:
        mail.enqueue(address, subject.strip(), body.strip() + "\n")
