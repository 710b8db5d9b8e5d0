"""Pages for admins only: the email outbox."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from directory import mail
from directory.admin import bp
from directory.extensions import db
from directory.models import OutboxMessage

PER_PAGE = 50


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


@bp.route("/outbox")
def outbox():
    status = request.args.get("status", "")
    if status not in mail.STATUSES:
        status = ""
    result = db.paginate(mail.messages(status), per_page=PER_PAGE, max_per_page=PER_PAGE)
    counts = mail.status_counts()
    return render_template(
        "admin/outbox.html",
        result=result,
        status=status,
        counts=counts,
        total=sum(counts.values()),
        smtp_configured=bool(current_app.config.get("MAIL_SERVER")),
    )


@bp.route("/outbox/<int:message_id>")
def message(message_id: int):
    return render_template(
        "admin/message.html",
        message=db.get_or_404(OutboxMessage, message_id),
        smtp_configured=bool(current_app.config.get("MAIL_SERVER")),
    )
