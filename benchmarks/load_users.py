"""Simulated people for the load run: visitors who search and read, members who write.

Plain threads and `http.client` (no extra dependency, one new connection per request as
gunicorn's sync workers close them anyway). Every request is recorded with its phase, page,
start, duration and status (0 when the connection failed or timed out); every write that got
a success answer is recorded so the database can be checked afterwards.
"""

from __future__ import annotations

import http.client
import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from matching.vocab import SECTORS, STAGES, TOPICS

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
PROFILE_LINK = re.compile(r'href="/businesses/([a-z0-9-]+)"')
REFUSAL = re.compile(r'class="(?:flash flash-error|field-error)"[^>]*>\s*([^<]+?)\s*<')
REQUEST_LINK = re.compile(r'href="(/introductions/new\?[^"]+)"')
VERIFY_LINK = re.compile(r'(/account/verify/[^\s"<>]+)')
CHECK_EMAIL = "<h1>Check your email</h1>"
NEWEST_LINK = text(
    "SELECT body FROM outbox_message WHERE to_address = :email AND body LIKE :link"
    " ORDER BY id DESC LIMIT 1"
)
RADII = (5, 10, 25, 50, 100, 200)
WORDS = ("community", "shop", "pub", "farm", "energy", "library", "hub", "cafe", "trust", "co-op")
# Pages that do not need the database: they should keep answering 200 through an outage.
STATIC_PAGES = {"static"}


@dataclass
class Sample:
    phase: str
    page: str
    start: float
    seconds: float
    status: int


@dataclass
class Registration:
    email: str
    name: str
    needs: list[str]
    offers: list[str]
    statuses: list[int]
    accepted: bool = False  # Peerlink answered with the "check your email" page
    verified: bool = False  # the emailed link was followed and accepted
    slug: str | None = None  # set once signed in and sent on to the business's suggestions
    refusals: list[str] = field(default_factory=list)


@dataclass
class IntroRequest:
    requester: str
    target: str
    statuses: list[int]
    intro_id: int | None = None  # set when Peerlink answered with the new introduction's page
    refusals: list[str] = field(default_factory=list)


@dataclass
class Recorder:
    """Shared by all user threads; list.append is atomic, the phase is read on each request."""

    phase: str = "warmup"
    t0: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    intro_requests: list[IntroRequest] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.t0


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One person's cookie jar over fresh connections; never follows redirects."""

    def __init__(self, host: str, port: int, recorder: Recorder, timeout: float = 35.0):
        self.host, self.port, self.recorder, self.timeout = host, port, recorder, timeout
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(self, page: str, path: str, form: dict | None = None) -> Answer:
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Accept": "text/html", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        phase = self.recorder.phase
        started = self.recorder.now()
        clock = time.perf_counter()
        answer = Answer(0, "", "")
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                connection.request("POST" if form is not None else "GET", path, body, headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                answer = Answer(response.status, response.getheader("Location", ""), text)
                self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            finally:
                connection.close()
        except (OSError, http.client.HTTPException):
            pass
        seconds = time.perf_counter() - clock
        self.recorder.samples.append(Sample(phase, page, started, seconds, answer.status))
        return answer

    def _keep_cookies(self, headers: list[str]) -> None:
        with self._lock:
            for header in headers:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel.value == "" or morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def post_twice(self, page: str, path: str, form: dict) -> list[Answer]:
        """A double click: the same form sent twice at once, as an impatient person does."""
        answers: list[Answer] = []
        other = threading.Thread(target=lambda: answers.append(self.request(page, path, form)))
        other.start()
        answers.append(self.request(page, path, form))
        other.join()
        return answers


def refusals(answers: list[Answer]) -> list[str]:
    """What a form said when it refused a write (a 200 re-rendering the form)."""
    found = []
    for answer in answers:
        if answer.status == 200:
            found += [" ".join(m.split()) for m in REFUSAL.findall(answer.body) if m.strip()]
    return found


def csrf_token(answer: Answer) -> str | None:
    found = CSRF.search(answer.body)
    return found.group(1) if found else None


@dataclass
class World:
    """What people search for and register with, read from the demo directory."""

    slugs: list[str]
    places: list[str]
    outcodes: list[str]


def search_path(rng: random.Random, world: World) -> str:
    args: list[tuple[str, str]] = []
    if rng.random() < 0.5:
        args += [("near", rng.choice(world.places)), ("radius_km", str(rng.choice(RADII)))]
    if rng.random() < 0.4:
        args.append(("q", rng.choice(WORDS)))
    for facet, vocabulary, chance in (
        ("sector", SECTORS, 0.3),
        ("stage", STAGES, 0.2),
        ("need", TOPICS, 0.15),
        ("offer", TOPICS, 0.1),
    ):
        if rng.random() < chance:
            args += [(facet, v) for v in rng.sample(list(vocabulary), rng.randint(1, 2))]
    if rng.random() < 0.1:
        args.append(("mentors", "1"))
    if rng.random() < 0.15:
        args.append(("page", str(rng.randint(2, 4))))
    return "/businesses" + ("?" + urlencode(args) if args else "")


def try_path(rng: random.Random, world: World) -> str:
    args = [
        ("sector", rng.choice(list(SECTORS))),
        ("stage", rng.choice(list(STAGES))),
        ("where", rng.choice(world.places)),
    ]
    args += [("needs", t) for t in rng.sample(list(TOPICS), rng.randint(1, 3))]
    if rng.random() < 0.5:
        args.append(("max_km", rng.choice(["25", "50", "100"])))
    return "/matches/try?" + urlencode(args)


VISITOR_PAGES = {  # page: weight
    "/businesses": 45,
    "/businesses/<slug>": 25,
    "/matches/try": 12,
    "/": 6,
    "healthz": 6,
    "static": 6,
}


def visit(browser: Browser, rng: random.Random, world: World, page: str) -> Answer:
    """One visitor request of the given kind."""
    if page == "/businesses":
        answer = browser.request(page, search_path(rng, world))
        world.slugs.extend(PROFILE_LINK.findall(answer.body)[:2])
        return answer
    if page == "/businesses/<slug>":
        return browser.request(page, f"/businesses/{rng.choice(world.slugs)}")
    if page == "/matches/try":
        return browser.request(page, try_path(rng, world))
    if page == "healthz":
        return browser.request(page, "/healthz")
    if page == "static":
        return browser.request(page, "/static/css/app.css")
    return browser.request(page, "/")


def visitor(browser: Browser, rng: random.Random, world: World, until: float) -> None:
    pages, weights = list(VISITOR_PAGES), list(VISITOR_PAGES.values())
    while time.monotonic() < until:
        visit(browser, rng, world, rng.choices(pages, weights)[0])


def repeat(browser: Browser, rng: random.Random, world: World, page: str, until: float) -> None:
    """A baseline: the same kind of request over and over."""
    while time.monotonic() < until:
        visit(browser, rng, world, page)


_serial = itertools.count(1)


class Member:
    """Registers, confirms the email, looks at suggestions, asks for introductions, signs out
    and in again."""

    def __init__(
        self,
        browser: Browser,
        rng: random.Random,
        world: World,
        run: str,
        p2: float,
        mailbox: Engine,
    ):
        self.browser, self.rng, self.world, self.run, self.double = browser, rng, world, run, p2
        self.mailbox = mailbox  # the outbox table stands in for the member's inbox
        self.registration: Registration | None = None
        self.last_form: tuple[str, str] | None = None  # (path, CSRF token) of an open form
        self.password = "load-run-password-1"

    def _post(self, page: str, path: str, form: dict) -> list[Answer]:
        if self.rng.random() < self.double:
            return self.browser.post_twice(page, path, form)
        return [self.browser.request(page, path, form)]

    def register(self) -> bool:
        self.browser.cookies.clear()
        self.last_form = None
        token = csrf_token(self.browser.request("GET /register", "/register"))
        if token is None:
            return False
        n = next(_serial)
        needs = self.rng.sample(list(TOPICS), self.rng.randint(1, 3))
        offers = [
            t for t in self.rng.sample(list(TOPICS), self.rng.randint(0, 3)) if t not in needs
        ]
        record = Registration(
            email=f"member-{self.run}-{n}@example.org",
            name=f"Load Run {self.run} Community Co-op {n}",
            needs=needs,
            offers=offers,
            statuses=[],
        )
        form = {
            "csrf_token": token,
            "account_name": f"Member {n}",
            "account_email": record.email,
            "password": self.password,
            "confirm": self.password,
            "name": record.name,
            "description": "A community business registered by the load run.",
            "sector": self.rng.choice(list(SECTORS)),
            "stage": self.rng.choice(list(STAGES)),
            "postcode": self.rng.choice(self.world.outcodes),
            "needs": needs,
            "offers": offers,
            "accepting_requests": "y",
        }
        answers = self._post("POST /register", "/register", form)
        record.statuses = [a.status for a in answers]
        record.refusals = refusals(answers)
        record.accepted = any(a.status == 200 and CHECK_EMAIL in a.body for a in answers)
        self.browser.recorder.registrations.append(record)
        if record.accepted:
            record.slug = self.confirm_and_sign_in(record)
        self.world.slugs.extend([record.slug] if record.slug else [])
        self.registration = record if record.slug else None
        return record.slug is not None

    def verification_link(self, email: str) -> str | None:
        """The newest confirmation link sent to `email`, read from the outbox table."""
        try:
            with self.mailbox.connect() as conn:
                body = conn.execute(NEWEST_LINK, {"email": email, "link": "%/account/verify/%"})
                found = VERIFY_LINK.search(body.scalar() or "")
        except SQLAlchemyError:
            return None  # the database is down: the email is not readable either
        return found.group(1) if found else None

    def confirm_and_sign_in(self, record: Registration) -> str | None:
        """Follow the emailed link, sign in; the business's slug from where sign-in leads."""
        link = self.verification_link(record.email)
        if link is None:
            return None
        answer = self.browser.request("GET /account/verify", link)
        if answer.status != 302:
            return None
        record.verified = True
        target = urlsplit(answer.location)
        login = target.path + ("?" + target.query if target.query else "")
        if not target.path.endswith("/login"):
            login = "/login"
        token = csrf_token(self.browser.request("GET /login", login))
        if token is None:
            return None
        form = {"csrf_token": token, "email": record.email, "password": self.password}
        answer = self.browser.request("POST /login", login, form)
        if answer.status == 302 and "/matches" in answer.location:
            return parse_qs(urlsplit(answer.location).query).get("business", [None])[0]
        return None

    def request_introduction(self) -> None:
        assert self.registration is not None
        answer = self.browser.request("/matches", f"/matches?business={self.registration.slug}")
        links = REQUEST_LINK.findall(answer.body)
        token = None
        if links:
            path = self.rng.choice(links).replace("&amp;", "&")
            token = csrf_token(self.browser.request("GET /introductions/new", path))
        if token is None:
            failing = answer.status >= 500 or bool(links)
            if not failing or self.last_form is None:
                return
            # The site is failing: send the form read earlier, as a person with it open would.
            path, token = self.last_form
        self.last_form = (path, token)
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        record = IntroRequest(requester=self.registration.slug, target=query["to"], statuses=[])
        form = {
            "csrf_token": token,
            "from_business": query.get("from", self.registration.slug),
            "kind": query.get("kind", "peer"),
            "message": "We would like to compare notes on what we are working on.",
        }
        answers = self._post("POST /introductions/new", path, form)
        record.statuses = [a.status for a in answers]
        record.refusals = refusals(answers)
        for answer in answers:
            found = re.search(r"/introductions/(\d+)$", answer.location)
            if answer.status == 302 and found:
                record.intro_id = int(found.group(1))
        self.browser.recorder.intro_requests.append(record)

    def sign_out_and_in(self) -> None:
        assert self.registration is not None
        token = csrf_token(self.browser.request("/introductions", "/introductions"))
        if token:
            self.browser.request("POST /logout", "/logout", {"csrf_token": token})
        token = csrf_token(self.browser.request("GET /login", "/login"))
        if token:
            form = {
                "csrf_token": token,
                "email": self.registration.email,
                "password": self.password,
            }
            self.browser.request("POST /login", "/login", form)

    def live(self, until: float) -> None:
        """Register, ask for up to four introductions, sign out and in, ask once more; again."""
        while time.monotonic() < until:
            if not self.register():
                time.sleep(0.2)  # the site is failing: do not spin on errors
                continue
            for step in range(5):
                if time.monotonic() >= until:
                    return
                if step == 3:
                    self.sign_out_and_in()
                self.request_introduction()
