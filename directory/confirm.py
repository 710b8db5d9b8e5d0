"""Actions that cannot be undone are confirmed on the server, whatever the browser runs.

A form marked `data-confirm` asks in the browser when JavaScript runs (static/js/app.js then
adds `confirmed=yes`). Without JavaScript, or when the request comes from elsewhere, the view
answers with a page that states the consequence and asks again; only a request carrying
`confirmed=yes` acts. The view calls `unconfirmed` after its permission checks, so the page
never shows what the person could not act on.
"""

from __future__ import annotations

from flask import render_template, request

FIELD = "confirmed"
SKIPPED = {"csrf_token", FIELD}


def unconfirmed(message: str, cancel_url: str, button: str = "Yes, go ahead") -> str | None:
    """The page asking to confirm, or None once the person has confirmed."""
    if request.form.get(FIELD) == "yes":
        return None
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in SKIPPED]
    return render_template(
        "confirm.html",
        message=message,
        action=request.path,
        fields=fields,
        cancel_url=cancel_url,
        button=button,
        field_name=FIELD,
    )
