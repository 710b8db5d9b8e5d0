"""The outbox, delivered to a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from directory import mail
from directory.extensions import db
from directory.models import OutboxMessage, utcnow

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An aiosmtpd handler that keeps every message, refuses some recipients, and can hold the
    next message in DATA until released."""

    def __init__(self):
        self.received = []
        self.refuse = set()
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        self.received.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def smtp_app(app, sink):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=sink[1],
        MAIL_DEFAULT_SENDER="Peerlink <noreply@peerlink.test>",
    )
    return app


@pytest.fixture
def received(sink):
    return sink[0].received


@pytest.fixture
def no_smtp(app):
    app.config.update(MAIL_SERVER="")
    return app


@pytest.fixture
def log(app, caplog, monkeypatch):
    # migrations/env.py's fileConfig() disables the loggers that exist when upgrade() runs.
    monkeypatch.setattr(app.logger, "disabled", False)
    caplog.set_level(logging.INFO, logger=app.logger.name)
    return caplog


def enqueue(app, to="ada@example.org", subject="Hello", body="Body"):
    with app.app_context():
        message = mail.enqueue(to, subject, body)
        db.session.commit()
        return message.id


def stored(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def deliver(app, **kwargs) -> mail.DeliveryReport:
    with app.app_context():
        return mail.deliver_pending(**kwargs)


def test_delivers_committed_message_with_headers_and_utf8_body(smtp_app, received):
    body = "Dear Zoë,\n\nMeet the Bakery Co-op — they mentor new cafés.\n"
    message_id = enqueue(smtp_app, subject="An introduction: Bakery Co-op", body=body)

    report = deliver(smtp_app)

    assert report == mail.DeliveryReport(sent=1, failed=0, waiting=0)
    [(recipients, email)] = received
    assert recipients == ["ada@example.org"]
    assert email["To"] == "ada@example.org"
    assert email["From"] == "Peerlink <noreply@peerlink.test>"
    assert email["Subject"] == "An introduction: Bakery Co-op"
    assert email["Message-ID"].endswith("@peerlink.test>")
    assert email["Date"]
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email.get_content().replace("\r\n", "\n") == body
    row = stored(smtp_app, message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_second_run_sends_nothing_more(smtp_app, received):
    enqueue(smtp_app)
    deliver(smtp_app)

    assert deliver(smtp_app) == mail.DeliveryReport(sent=0, failed=0, waiting=0)
    assert len(received) == 1


def test_message_of_rolled_back_change_is_never_sent(smtp_app, received):
    with smtp_app.app_context():
        mail.enqueue("ada@example.org", "Lost race", "Body")
        db.session.rollback()

    assert deliver(smtp_app).sent == 0
    assert received == []


def test_enqueue_skips_empty_address(app):
    with app.app_context():
        for address in ("", "   ", None):
            assert mail.enqueue(address, "Hello", "Body") is None
        db.session.commit()
        assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_failed_send_keeps_error_and_waits_for_backoff(smtp_app, received, sink):
    smtp_app.config["MAIL_PORT"] = free_port()  # nothing listens there
    message_id = enqueue(smtp_app)
    started = utcnow()

    assert deliver(smtp_app, now=started) == mail.DeliveryReport(sent=0, failed=1, waiting=1)
    row = stored(smtp_app, message_id)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    assert "refused" in row.last_error.lower()
    assert row.next_attempt_at > started

    smtp_app.config["MAIL_PORT"] = sink[1]
    assert deliver(smtp_app, now=started + timedelta(seconds=30)).sent == 0
    assert received == []
    assert deliver(smtp_app, now=started + timedelta(minutes=2)).sent == 1
    row = stored(smtp_app, message_id)
    assert (row.status, row.attempts) == ("sent", 2)


def test_gives_up_after_max_attempts(smtp_app):
    smtp_app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=3)
    message_id = enqueue(smtp_app)
    now = utcnow()

    for _ in range(4):
        now += timedelta(hours=3)
        deliver(smtp_app, now=now)

    row = stored(smtp_app, message_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error


def test_refused_recipient_does_not_block_others(smtp_app, sink, received):
    sink[0].refuse.add("gone@example.org")
    bad = enqueue(smtp_app, to="gone@example.org")
    good = enqueue(smtp_app, to="ada@example.org")

    assert deliver(smtp_app) == mail.DeliveryReport(sent=1, failed=1, waiting=1)
    assert [recipients for recipients, _ in received] == [["ada@example.org"]]
    assert "No such mailbox" in stored(smtp_app, bad).last_error
    assert stored(smtp_app, good).status == "sent"


def test_address_no_server_would_take_fails_at_once_without_blocking_others(smtp_app, received):
    bad = enqueue(smtp_app, to="ada@example.org\nBcc: eve@example.org")
    enqueue(smtp_app, to="bo@example.org")

    assert deliver(smtp_app) == mail.DeliveryReport(sent=1, failed=1, waiting=0)
    assert [recipients for recipients, _ in received] == [["bo@example.org"]]
    row = stored(smtp_app, bad)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "linefeed" in row.last_error


def test_two_senders_at_once_send_each_message_once(smtp_app, sink, received):
    handler = sink[0]
    ids = [enqueue(smtp_app, subject=f"Message {n}") for n in range(4)]
    handler.hold_next = True
    reports = {}

    def first_sender():
        reports["first"] = deliver(smtp_app)

    thread = threading.Thread(target=first_sender)
    thread.start()
    try:
        # The first sender has claimed message 0 and waits in DATA; it has chosen all four.
        assert handler.holding.wait(5)
        reports["second"] = deliver(smtp_app)
    finally:
        handler.release.set()
        thread.join(5)

    assert sorted(email["Subject"] for _, email in received) == [f"Message {n}" for n in range(4)]
    assert reports["first"].sent + reports["second"].sent == 4
    assert reports["first"].sent == 1
    assert {stored(smtp_app, i).status for i in ids} == {"sent"}


def test_without_smtp_nothing_is_sent_and_message_is_logged_once(no_smtp, log):
    message_id = enqueue(no_smtp, subject="Your introduction")

    assert deliver(no_smtp) == mail.DeliveryReport(sent=0, failed=0, waiting=1)
    row = stored(no_smtp, message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    logged = [r.getMessage() for r in log.records if "Your introduction" in r.getMessage()]
    assert logged == [
        "Email to ada@example.org: Your introduction (kept in the outbox; no SMTP configured)"
    ]


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 403), ("coordinator", 403), ("admin", 200)]
)
def test_outbox_is_for_admins_only(no_smtp, client, auth, make_user, role, status):
    enqueue(no_smtp, subject="Your introduction")
    if role:
        make_user(email=f"{role}@example.org", role=role)
        auth.login(email=f"{role}@example.org")

    for url in ("/admin/outbox", "/admin/outbox/1"):
        response = client.get(url)
        assert response.status_code == status
        if status == 302:
            assert response.headers["Location"].startswith("/login")


@pytest.fixture
def admin(client, auth, make_user):
    make_user(email="admin@example.org", role="admin")
    auth.login(email="admin@example.org")
    return client


def test_outbox_lists_pending_messages_with_no_smtp_banner(no_smtp, admin):
    enqueue(no_smtp, to="ada@example.org", subject="Your introduction")

    page = admin.get("/admin/outbox").get_data(as_text=True)

    assert "kept here for reading" in page
    assert "ada@example.org" in page
    assert "Your introduction" in page
    assert '<th scope="col">Status</th>' in page


def test_outbox_filters_by_status(no_smtp, admin):
    enqueue(no_smtp, subject="Still waiting")
    sent = enqueue(no_smtp, subject="Already out")
    with no_smtp.app_context():
        db.session.get(OutboxMessage, sent).status = "sent"
        db.session.commit()

    page = admin.get("/admin/outbox?status=sent").get_data(as_text=True)

    assert "Already out" in page
    assert "Still waiting" not in page


def test_message_page_shows_escaped_body(no_smtp, admin):
    message_id = enqueue(no_smtp, subject="Hi", body="Line one\n<script>alert(1)</script>")

    response = admin.get(f"/admin/outbox/{message_id}")

    page = response.get_data(as_text=True)
    assert "Line one\n&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert admin.get("/admin/outbox/999").status_code == 404


def test_mail_send_command_prints_counts(smtp_app, runner, sink, received):
    sink[0].refuse.add("gone@example.org")
    enqueue(smtp_app, to="gone@example.org")
    enqueue(smtp_app, to="ada@example.org")

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 1, waiting 1." in result.output
    assert len(received) == 1


def test_mail_list_command_prints_latest_first(no_smtp, runner):
    enqueue(no_smtp, to="ada@example.org", subject="First")
    enqueue(no_smtp, to="bo@example.org", subject="Second")

    lines = runner.invoke(args=["mail", "list", "--limit", "1"]).output.splitlines()

    assert len(lines) == 1
    assert "pending" in lines[0] and "bo@example.org" in lines[0] and "Second" in lines[0]


# -- the worker: delivery outside web requests ----------------------------------------------------


class BlackHole:
    """A server that accepts SMTP connections and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def black_hole(app):
    hole = BlackHole()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=hole.port, MAIL_TIMEOUT=0.3)
    yield hole
    hole.close()


def test_silent_smtp_server_times_out_and_the_message_is_retried_later(
    app, black_hole, sink, received
):
    message_id = enqueue(app)
    started = utcnow()

    assert deliver(app, now=started) == mail.DeliveryReport(sent=0, failed=1, waiting=1)
    row = stored(app, message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "timed out" in row.last_error.lower()

    app.config["MAIL_PORT"] = sink[1]
    assert deliver(app, now=started + timedelta(minutes=2)).sent == 1
    assert len(received) == 1


def test_a_request_that_queues_email_never_talks_to_smtp(app, client, make_user, black_hole):
    make_user()
    response = client.post("/account/reset", data={"email": "member@example.org"})

    assert response.status_code == 200
    assert black_hole.accepted == []
    with app.app_context():
        assert mail.status_counts()["pending"] == 1


def test_delivery_refuses_to_run_inside_a_request(smtp_app):
    enqueue(smtp_app)
    with smtp_app.test_request_context("/"), pytest.raises(RuntimeError):
        mail.deliver_pending()


def test_worker_delivers_then_waits_and_stops_when_told(smtp_app, received):
    enqueue(smtp_app)
    stop = threading.Event()
    waits = []

    def fake_wait(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            stop.set()

    with smtp_app.app_context():
        runs = mail.run_worker(stop, interval=5, wait=fake_wait)

    assert runs == 2
    assert waits == [5, 5]
    assert len(received) == 1


def test_worker_backs_off_while_delivery_fails_and_recovers(smtp_app, monkeypatch, log):
    outcomes = iter([RuntimeError("db down")] * 3 + [mail.DeliveryReport(1, 0, 0)])

    def flaky(**kwargs):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(mail, "deliver_pending", flaky)
    stop = threading.Event()
    waits = []

    def fake_wait(seconds):
        waits.append(seconds)
        if len(waits) == 4:
            stop.set()

    with smtp_app.app_context():
        mail.run_worker(stop, interval=1, max_delay=6, wait=fake_wait)

    assert waits == [2, 4, 6, 1]
    assert "Delivering the outbox failed" in log.text


def test_worker_command_stops_cleanly_on_sigterm(app, database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "MAIL_SERVER": "",
        "PYTHONUNBUFFERED": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        for line in worker.stdout:
            lines.append(line)
            if "delivering every" in line:
                break
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, "".join(lines) + output
    assert "Mail worker stopped." in output
