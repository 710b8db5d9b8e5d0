"""The real app on a real port, driven by Debian's Chromium through Playwright's sync API.

Playwright's own browser download is never used: it needs a host this project cannot reach.
`scripts/test` installs Debian's `chromium`; without it the browser tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from directory import create_app, demo, mail
from directory.extensions import db

CHROMIUM = shutil.which("chromium")


def pytest_collection_modifyitems(config, items) -> None:
    """Without Debian's chromium there is no browser to drive: skip, and say why."""
    if CHROMIUM is None:
        skip = pytest.mark.skip(
            reason="Debian's chromium is not on PATH (scripts/test installs it when run as root)"
        )
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "demo-password-1"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def serve(tmp_path_factory) -> Iterator[Callable[..., str]]:
    """Factory: build the app with extra `config` on SQLite made by the real migrations, run
    `seed` in its app context, and serve it from a thread on a free port; returns the base URL."""
    running = []

    def start(seed: Callable[[], object], mail_worker: bool = False, **config) -> str:
        root = tmp_path_factory.mktemp("live")
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'e2e.sqlite'}",
                "WTF_CSRF_ENABLED": True,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "SECRET_KEY": "e2e",
                "MAP_TILE_URL": "",
                **config,
            }
        )
        app.instance_path = str(root / "instance")
        os.makedirs(app.instance_path, exist_ok=True)
        with app.app_context():
            upgrade()
            seed()

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
        thread.start()
        stop = threading.Event()
        if mail_worker:  # as scripts/start runs `flask mail worker` beside the server
            threading.Thread(target=_deliver, args=(app, stop), daemon=True).start()
        running.append((app, server, thread, stop))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for app, server, thread, stop in running:
        stop.set()
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _deliver(app, stop: threading.Event) -> None:
    with app.app_context():
        mail.run_worker(stop, interval=0.1)


@pytest.fixture(scope="module")
def live_server(serve) -> str:
    """The app with the demo directory; a module overrides this fixture to serve its own."""
    return serve(lambda: demo.load(n=40, seed=3, password=DEMO_PASSWORD))


@pytest.fixture(scope="module")
def browser():
    """One browser per module; Playwright gives it a fresh temporary profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: a page in a fresh context (no cookies) whose relative URLs go to the app."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(tmp_path):
    """Save a screenshot to tmp_path, and a copy for people to look at to the folder named by
    the environment variable PEERLINK_SHOTS_DIR when it is set."""
    copies = os.environ.get("PEERLINK_SHOTS_DIR")

    def save(page, name: str, full_page: bool = True) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if copies:
            try:
                Path(copies).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, Path(copies) / path.name)
            except OSError:
                pass  # the copy is a convenience; the test does not depend on it
        return path

    return save
