"""On a phone, the working tables (coordinator queue, outbox) never scroll sideways: each row
becomes a small card whose cells are labelled with their column."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, TIMEOUT_MS
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e

WIDE_CONTENT = """() => [...document.querySelectorAll('.table-wrap')]
    .map(wrap => ({width: wrap.scrollWidth, visible: wrap.clientWidth,
                   labelled: [...wrap.querySelectorAll('tbody td[data-label]')].length}))"""


@pytest.mark.parametrize(("email", "path"), [("admin@peerlink.example", "/coordinator")])
def test_tables_fit_a_phone_without_sideways_scrolling(browser, live_server, email, path):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, email, DEMO_PASSWORD)
    page.goto(path)
    tables = page.evaluate(WIDE_CONTENT)
    assert tables, "the demo gives this page at least one table"
    for table in tables:
        assert table["width"] <= table["visible"], table
        assert table["labelled"] > 0
    context.close()
