"""Email through the outbox.

A message is stored in the same transaction as the change it reports, so a rolled-back change
sends nothing. No web request ever talks to SMTP: a slow or silent mail server would hold the
request (and the worker serving it). Delivery runs in its own process, `flask mail worker` (a
loop), or from cron with `flask mail send`; without MAIL_SERVER every message stays in the
outbox for admins to read.
"""

from __future__ import annotations

import signal
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import click
from flask import Flask, current_app, has_request_context
from flask.cli import AppGroup
from sqlalchemy import Row, Select, func

from directory.extensions import db
from directory.models import OutboxMessage, utcnow

STATUSES = ("pending", "sent", "failed")
# Wait before retry n (the last delay repeats until MAIL_MAX_ATTEMPTS is reached).
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120))
# A claimed message is not due again for this long, so a sender that died mid-send is retried
# later, and one that is merely slow is never overtaken by a second sender.
CLAIM_LEASE = timedelta(minutes=10)
SMTP_TIMEOUT = 10  # seconds for each SMTP step; MAIL_TIMEOUT overrides it
# Messages per worker run: short runs let SIGTERM stop the worker within seconds.
WORKER_BATCH = 20


@dataclass(frozen=True)
class DeliveryReport:
    sent: int  # delivered in this run
    failed: int  # attempts that failed in this run (retried later unless given up)
    waiting: int  # still pending after this run


def enqueue(to: str, subject: str, body: str) -> OutboxMessage | None:
    """Add a message to the session; the caller commits it with the change it reports."""
    to = (to or "").strip()
    if not to:
        return None
    # Header values may not hold line breaks, and the column holds 200 characters.
    subject = " ".join(subject.split())[:200]
    message = OutboxMessage(to_address=to, subject=subject, body=body)
    db.session.add(message)
    if not current_app.config.get("MAIL_SERVER"):
        current_app.logger.info(
            "Email to %s: %s (kept in the outbox; no SMTP configured)", to, subject
        )
    return message


def messages(status: str | None = None) -> Select:
    """The outbox, newest first, optionally with one status."""
    query = db.select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    return query


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        db.select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(rows.all())
    return counts


def deliver_pending(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send the due pending messages over one SMTP connection, committing each on its own.

    Safe to run from two places at once: a message is claimed by a conditional UPDATE before it
    is sent, and only the sender whose UPDATE changed the row sends it. Commits the session, so
    call it after the caller's own commit. Refuses to run inside a web request.
    """
    if has_request_context():
        raise RuntimeError("Email is delivered by `flask mail worker`, never in a web request.")
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return DeliveryReport(sent=0, failed=0, waiting=status_counts()["pending"])
    due = db.session.execute(
        db.select(OutboxMessage.id, OutboxMessage.attempts)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= (now or utcnow()),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    smtp = None
    try:
        for message_id, attempts in due:
            at = now or utcnow()
            row = _claim(message_id, attempts, at)
            if row is None:
                continue
            try:
                email = _email(row, config)
            except ValueError as exc:  # a header no server would take: retrying cannot help
                failed += 1
                _record_failure(row, attempts + 1, exc, at, give_up=True)
                continue
            try:
                if smtp is None:
                    smtp = _connect(config)
                smtp.send_message(email)
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                failed += 1
                _record_failure(row, attempts + 1, exc, at)
                if smtp is None:
                    break  # no connection: the rest wait for the next run
                if not isinstance(
                    exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException
                ):
                    _close(smtp)
                    smtp = None
            else:
                sent += 1
                _finish(row.id, attempts + 1, status="sent", sent_at=at)
    finally:
        if smtp is not None:
            _close(smtp)
    return DeliveryReport(sent=sent, failed=failed, waiting=status_counts()["pending"])


def _claim(message_id: int, attempts: int, at: datetime) -> Row | None:
    """Take a message for sending, or None if another sender took it first."""
    claimed = db.session.execute(
        db.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            OutboxMessage.attempts == attempts,
        )
        .values(attempts=attempts + 1, next_attempt_at=at + CLAIM_LEASE)
    )
    row = None
    if claimed.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        row = db.session.execute(
            db.select(
                OutboxMessage.id,
                OutboxMessage.to_address,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.created_at,
            ).where(OutboxMessage.id == message_id)
        ).one()
    # Commit before talking to the SMTP server: no transaction stays open during network I/O.
    db.session.commit()
    return row


def _finish(message_id: int, attempt: int, **values) -> None:
    # Only if no later attempt has claimed the message meanwhile.
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.attempts == attempt)
        .values(**values)
    )
    db.session.commit()


def _record_failure(
    row: Row, attempt: int, exc: Exception, at: datetime, give_up: bool = False
) -> None:
    error = str(exc) or type(exc).__name__
    gave_up = give_up or attempt >= current_app.config.get("MAIL_MAX_ATTEMPTS", 5)
    delay = BACKOFF[min(attempt, len(BACKOFF)) - 1]
    _finish(
        row.id,
        attempt,
        last_error=error,
        next_attempt_at=at + delay,
        status="failed" if gave_up else "pending",
    )
    current_app.logger.warning(
        "Email %d to %s, attempt %d failed%s: %s",
        row.id,
        row.to_address,
        attempt,
        " (giving up)" if gave_up else "",
        error,
    )


def _email(row: Row, config) -> EmailMessage:
    sender = config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = row.to_address
    email["Subject"] = row.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    # The same on every attempt, so a receiver can drop a copy resent after a crash.
    email["Message-ID"] = f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    email.set_content(row.body, charset="utf-8")
    return email


def _connect(config) -> smtplib.SMTP:
    host, port = config["MAIL_SERVER"], config.get("MAIL_PORT") or 0
    timeout = float(config.get("MAIL_TIMEOUT") or SMTP_TIMEOUT)
    if config.get("MAIL_USE_SSL"):
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def run_worker(
    stop: threading.Event,
    interval: float = 5.0,
    max_delay: float = 300.0,
    wait: Callable[[float], object] | None = None,
) -> int:
    """Deliver what is due every `interval` seconds until `stop` is set; returns the runs made.

    A run that fails as a whole (database or SMTP unreachable) doubles the pause, up to
    `max_delay`; each message also waits out its own back-off before it is tried again.
    `wait` is stop.wait unless a test passes a fake clock.
    """
    wait = wait or stop.wait
    delay, runs = interval, 0
    while not stop.is_set():
        runs += 1
        try:
            report = deliver_pending(limit=WORKER_BATCH)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("Delivering the outbox failed; trying again later.")
            delay = min(delay * 2, max_delay)
        else:
            if report.failed and not report.sent:
                delay = min(delay * 2, max_delay)
            elif report.sent + report.failed >= WORKER_BATCH:
                delay = 0  # more may be due: go on at once
            else:
                delay = interval
        finally:
            db.session.remove()  # no connection or transaction held while waiting
        wait(delay)
    return runs


mail_cli = AppGroup("mail", help="Send and read the email outbox.")


@mail_cli.command("worker")
@click.option("--interval", type=click.FloatRange(0.1), default=5.0, show_default=True)
@click.option("--max-delay", type=click.FloatRange(1), default=300.0, show_default=True)
def worker_command(interval: float, max_delay: float) -> None:
    """Deliver the outbox in a loop, beside the web server; stops cleanly on SIGTERM or Ctrl-C."""
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        click.echo(f"Mail worker: {signal.Signals(signum).name}, stopping.")
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: messages stay in the outbox for admins to read.")
    click.echo(f"Mail worker: delivering every {interval:g} s.")
    run_worker(stop, interval=interval, max_delay=max_delay)
    click.echo("Mail worker stopped.")


@mail_cli.command("send")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
def send_command(limit: int) -> None:
    """Send the due pending messages; run it from cron every few minutes."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: nothing sent, messages stay in the outbox.")
    report = deliver_pending(limit=limit)
    click.echo(f"Sent {report.sent}, failed {report.failed}, waiting {report.waiting}.")


@mail_cli.command("list")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--status", type=click.Choice(STATUSES), default=None)
def list_command(limit: int, status: str | None) -> None:
    """Print the latest messages, newest first."""
    rows = db.session.execute(messages(status).limit(limit)).scalars().all()
    for m in rows:
        click.echo(
            f"{m.id:>6}  {m.created_at:%Y-%m-%d %H:%M}  {m.status:<7}  {m.to_address}  {m.subject}"
        )
    if not rows:
        click.echo("The outbox is empty.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
