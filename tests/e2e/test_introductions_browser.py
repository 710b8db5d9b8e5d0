"""A member asks for an introduction, a coordinator approves it, the mentor accepts it, and the
contact details reach both sides on the page and by email through a real SMTP server."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from directory import accounts, demo, places
from directory.businesses import service as business_service
from directory.extensions import db

pytestmark = pytest.mark.e2e

expect.set_options(timeout=10_000)

PASSWORD = "introductions-e2e"
ALICE, BOB, COORDINATOR = "alice@example.org", "bob@example.org", "cara@example.org"
SHOP, MENTOR = "Okehampton Community Shop", "Chagford Community Stores"
SHOP_CONTACT = ("shop@okehampton.example", "01837 111111")
MENTOR_CONTACT = ("stores@chagford.example", "01647 222222")
HALL = "Belstone Village Hall"  # imported from a member list: no account
HALL_CONTACT = ("hall@belstone.example", "01837 333333")
MESSAGE = "We are starting out: how did you raise your community shares?"
NOTE = "Bob ran a share offer last year; a good person to ask."


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.port = 0
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The mail worker delivers within a moment of each commit; give the last one time."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def seed() -> None:
    networks = demo.ensure_networks()
    alice = accounts.create_user(ALICE, PASSWORD, name="Alice Moyle")
    bob = accounts.create_user(BOB, PASSWORD, name="Bob Endacott")
    coordinator = accounts.create_user(COORDINATOR, PASSWORD, name="Cara", role="coordinator")
    coordinator.networks = [networks["plunkett-foundation"]]
    db.session.commit()
    business_service.create_business(
        business_service.BusinessData(
            name=SHOP,
            sector="shop",
            stage="starting",
            place=places.resolve_place("EX20 1AB", None),
            needs=["funding"],
            networks=["plunkett-foundation"],
            email=SHOP_CONTACT[0],
            phone=SHOP_CONTACT[1],
        ),
        owner=alice,
    )
    business_service.create_business(
        business_service.BusinessData(
            name=MENTOR,
            sector="shop",
            stage="mature",
            place=places.resolve_place("TQ13 8AA", None),
            offers=["funding"],
            willing_to_mentor=True,
            email=MENTOR_CONTACT[0],
            phone=MENTOR_CONTACT[1],
        ),
        owner=bob,
    )
    business_service.create_business(
        business_service.BusinessData(
            name=HALL,
            sector="hub",
            stage="mature",
            place=places.resolve_place("EX20 1QZ", None),
            offers=["funding"],
            networks=["plunkett-foundation"],
            email=HALL_CONTACT[0],
            phone=HALL_CONTACT[1],
        ),
        owner=None,
    )


@pytest.fixture(scope="module")
def live_server(mailbox, serve) -> str:
    return serve(
        seed,
        mail_worker=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=mailbox.port,
        MAIL_DEFAULT_SENDER="Peerlink <noreply@peerlink.test>",
    )


def log_in(new_page, email: str):
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def contacts(page, name: str):
    return page.locator("section.card", has=page.get_by_role("heading", name=name))


def alice_asks_bob_to_mentor(page) -> str:
    page.goto("/matches")
    mentors = page.locator("section[aria-labelledby=mentors-heading]")
    suggestion = mentors.locator("li.suggestion", has=page.get_by_role("link", name=MENTOR))
    suggestion.get_by_role("link", name=f"Request an introduction to {MENTOR}").click()

    expect(page.get_by_role("heading", name=f"Ask for an introduction to {MENTOR}")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^As a mentor")).check()
    page.get_by_label("Your message").fill(MESSAGE)
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_role("status")).to_contain_text(
        "has gone to the coordinators of Plunkett Foundation"
    )
    expect(page.locator("#state")).to_have_text("Waiting for a coordinator")
    main = page.locator("main")
    for detail in MENTOR_CONTACT:
        expect(main).not_to_contain_text(detail)
    return page.url


def coordinator_approves(page) -> None:
    page.goto("/coordinator")
    review = page.locator("article.review", has_text=f"{SHOP} → {MENTOR}")
    expect(review.locator("blockquote")).to_have_text(MESSAGE)
    expect(review.get_by_role("heading", name=re.compile(f"^From: {SHOP}"))).to_be_visible()
    expect(review.get_by_role("heading", name=re.compile(f"^To: {MENTOR}"))).to_be_visible()
    review.get_by_label("Note to both businesses").fill(NOTE)
    review.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("status")).to_have_text(f"You approved {SHOP} → {MENTOR}.")
    expect(page.locator("article.review")).to_have_count(0)


def bob_accepts(page) -> None:
    expect(page.locator(".site-nav .badge")).to_contain_text("1 pending action")
    page.get_by_role("link", name="Introductions").click()
    waiting = page.locator("section[aria-labelledby=waiting]")
    waiting.get_by_role("link", name=f"{SHOP} → {MENTOR}").click()
    page.get_by_role("button", name="Accept the introduction").click()

    expect(page.get_by_role("status")).to_contain_text("Contact details are now shared")
    shop = contacts(page, SHOP)
    for detail in SHOP_CONTACT:
        expect(shop.locator(".contacts")).to_contain_text(detail)
    expect(page.locator("main")).to_contain_text(f"Coordinator's note: {NOTE}")
    expect(page.locator(".site-nav .badge")).to_have_count(0)


def test_request_approve_accept_shares_contacts_in_the_browser_and_by_email(
    new_page, screenshot, mailbox
):
    alice = log_in(new_page, ALICE)
    intro_url = alice_asks_bob_to_mentor(alice)
    [request] = mailbox.wait_for(1)
    assert request["To"] == COORDINATOR
    assert request["Subject"] == f"Introduction request: {SHOP} → {MENTOR}"
    assert MESSAGE in request.get_content()

    coordinator_approves(log_in(new_page, COORDINATOR))

    bob = log_in(new_page, BOB)
    bob_accepts(bob)
    screenshot(bob, "introduction-accepted")

    alice.goto(intro_url)
    expect(alice.locator("#state")).to_have_text("Accepted: contact details shared")
    for detail in MENTOR_CONTACT:
        expect(contacts(alice, MENTOR).locator(".contacts")).to_contain_text(detail)
    screenshot(alice, "introduction-requester")

    # request, then two on approval (to bob and alice), then one to each side on acceptance
    received = mailbox.wait_for(5)
    accepted = {
        m["To"]: m.get_content() for m in received if m["Subject"].startswith("Introduction:")
    }
    assert set(accepted) == {ALICE, BOB}
    assert all(detail in accepted[ALICE] for detail in MENTOR_CONTACT)
    assert all(detail in accepted[BOB] for detail in SHOP_CONTACT)
    assert NOTE in accepted[ALICE]
    assert not any(detail in accepted[ALICE] for detail in SHOP_CONTACT)


def test_a_business_without_an_account_accepts_from_the_emailed_link(new_page, screenshot, mailbox):
    alice = log_in(new_page, ALICE)
    alice.goto("/businesses/belstone-village-hall")
    expect(alice.locator("main")).to_contain_text("Is this your organisation? Claim it")
    alice.get_by_role("link", name="Request an introduction").click()
    alice.get_by_role("radio", name=re.compile("^As a peer")).check()
    alice.get_by_label("Your message").fill(MESSAGE)
    alice.get_by_role("button", name="Send the request").click()
    expect(alice.locator("#state")).to_have_text("Waiting for a coordinator")
    intro_url = alice.url

    cara = log_in(new_page, COORDINATOR)
    cara.goto("/coordinator")
    review = cara.locator("article.review", has_text=f"{SHOP} → {HALL}")
    expect(review).to_contain_text("Peerlink emails it an invitation to answer")
    review.get_by_role("button", name="Approve").click()
    expect(cara.get_by_role("status")).to_have_text(f"You approved {SHOP} → {HALL}.")

    deadline = time.monotonic() + 5
    invitation = None
    while invitation is None and time.monotonic() < deadline:
        invitation = next((m for m in mailbox.received if m["To"] == HALL_CONTACT[0]), None)
        time.sleep(0.05)
    assert invitation is not None, "no invitation reached the business's contact address"
    body = invitation.get_content()
    assert MESSAGE in body and "which you offer" in body
    link = re.search(r"https?://\S+/invitation/\S+", body).group(0)
    path = "/invitation/" + link.rsplit("/invitation/", 1)[1]

    hall = new_page(390, 844)  # no account, on a phone
    hall.goto(path)
    expect(hall.get_by_role("heading", level=1)).to_have_text(f"{SHOP} would like to meet {HALL}")
    screenshot(hall, "invitation-phone")
    hall.get_by_role("button", name="Accept the introduction").click()
    expect(hall.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(hall.locator("main")).to_contain_text(SHOP_CONTACT[0])
    expect(hall.get_by_role("link", name="Claim this profile")).to_be_visible()
    hall.goto(path)
    expect(hall.locator("main")).to_contain_text("already been used")

    alice.goto(intro_url)
    expect(alice.locator("#state")).to_have_text("Accepted: contact details shared")
    for detail in HALL_CONTACT:
        expect(contacts(alice, HALL).locator(".contacts")).to_contain_text(detail)
    expect(alice.locator(".audit-trail")).to_contain_text(f"{HALL} (from the emailed invitation)")
    screenshot(alice, "invitation-accepted-requester")
