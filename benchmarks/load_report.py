"""Figures and checks of a load run: latency tables per page, and the database afterwards."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from load_users import STATIC_PAGES, Recorder, Sample
from sqlalchemy import create_engine, text


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as benchmarks/bench_directory.py computes it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def statuses(samples: list[Sample]) -> str:
    counts = Counter("conn" if s.status == 0 else str(s.status) for s in samples)
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))


@dataclass
class PageFigures:
    page: str
    n: int
    per_second: float
    p50: float
    p95: float
    p99: float
    statuses: str


def figures(samples: list[Sample], seconds: float) -> list[PageFigures]:
    """Per page, busiest first: the latency of answered requests (ms) and every status seen."""
    by_page: dict[str, list[Sample]] = {}
    for sample in samples:
        by_page.setdefault(sample.page, []).append(sample)
    rows = []
    for page, group in sorted(by_page.items(), key=lambda kv: -len(kv[1])):
        times = [s.seconds * 1000 for s in group if s.status] or [0.0]
        rows.append(
            PageFigures(
                page=page,
                n=len(group),
                per_second=len(group) / seconds,
                p50=percentile(times, 50),
                p95=percentile(times, 95),
                p99=percentile(times, 99),
                statuses=statuses(group),
            )
        )
    return rows


def table(title: str, rows: list[PageFigures]) -> str:
    lines = [
        title,
        f"  {'page':<26} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        "  statuses",
    ]
    for r in rows:
        lines.append(
            f"  {r.page:<26} {r.n:>8} {r.per_second:>7.1f} {r.p50:>8.1f} {r.p95:>8.1f}"
            f" {r.p99:>8.1f}  {r.statuses}"
        )
    total = sum(r.n for r in rows)
    lines.append(f"  {'all':<26} {total:>8} {sum(r.per_second for r in rows):>7.1f}")
    return "\n".join(lines)


def search_ratios(
    tables: dict[str, list[PageFigures]], search: str, users: int, target: float
) -> tuple[dict[str, float], list[str]]:
    """The search page's p95 over the trivial routes' p95: each alone, and within the mix."""
    p95 = {(phase, r.page): r.p95 for phase, rows in tables.items() for r in rows}
    ratios, lines = {}, []
    for where, search_phase, trivial_phase in (
        ("each alone", f"alone:{search}", "alone:{}"),
        ("in the mixed run", "mixed", "mixed"),
    ):
        for trivial, name in (("healthz", "healthz"), ("static", "static file")):
            top = p95.get((search_phase, search))
            bottom = p95.get((trivial_phase.format(trivial), trivial))
            if top and bottom:
                ratios[f"search / {name}, {where}"] = top / bottom
                lines.append(
                    f"p95 ratio search / {name}, {where}: {top:.1f} / {bottom:.1f} ms"
                    f" = {top / bottom:.1f}x"
                )
        if f"search / healthz, {where}" in ratios:
            met = "met" if ratios[f"search / healthz, {where}"] < target else "MISSED"
            lines.append(
                f"target search p95 < {target:.0f}x healthz p95 at {users} users ({where}): {met}"
            )
    return ratios, lines


def status_checks(samples: list[Sample], window: tuple[float, float] | None) -> list[Check]:
    """No 5xx and no dropped connection, outside the outage window if there is one."""
    outside = [s for s in samples if not (window and overlaps(s, *window))]
    errors = [s for s in outside if s.status >= 500]
    dropped = [s for s in outside if s.status == 0]
    where = " outside the outage" if window else ""
    return [
        Check(
            f"no 5xx answer{where}",
            not errors,
            f"{len(errors)}: " + ", ".join(sorted({f"{s.page} {s.status}" for s in errors})),
        ),
        Check(
            f"every request answered (no dropped connection or timeout){where}",
            not dropped,
            f"{len(dropped)}: " + ", ".join(sorted({s.page for s in dropped})),
        ),
    ]


def overlaps(sample: Sample, start: float, end: float) -> bool:
    return sample.start < end and sample.start + sample.seconds > start


@dataclass
class Outage:
    stopped: float  # seconds since the recorder's start
    restarted: float


def outage_summary(samples: list[Sample], outage: Outage, grace: float) -> tuple[str, list[Check]]:
    """Statuses while the database was down, and how soon pages worked again afterwards.

    A request wholly inside the outage should get a 503; one that straddles its start or end
    may also succeed (it was answered before the stop, or queued until the restart).
    """
    down = [
        s for s in samples if s.start >= outage.stopped and s.start + s.seconds <= outage.restarted
    ]
    inside = {id(s) for s in down}
    straddling = [
        s for s in samples if overlaps(s, outage.stopped, outage.restarted) and id(s) not in inside
    ]
    after = [s for s in samples if s.start >= outage.restarted]
    db_pages = [s for s in down if s.page not in STATIC_PAGES]
    lines = [
        f"Database stopped at {outage.stopped:.1f} s, running again at {outage.restarted:.1f} s"
        f" ({outage.restarted - outage.stopped:.1f} s down).",
        f"  while down, pages that need the database: {statuses(db_pages)}",
        f"  while down, the static file: {statuses([s for s in down if s.page in STATIC_PAGES])}",
    ]
    by_page: dict[str, list[Sample]] = {}
    for s in db_pages:
        by_page.setdefault(s.page, []).append(s)
    lines += [f"    {page:<26} {statuses(group)}" for page, group in sorted(by_page.items())]
    lines.append(f"  requests straddling the stop or the restart: {statuses(straddling)}")
    reads = [s for s in after if s.page not in STATIC_PAGES and not s.page.startswith("POST")]
    first_ok = min((s.start + s.seconds for s in reads if 200 <= s.status < 400), default=None)
    late_errors = [s for s in reads if s.start >= outage.restarted + grace and s.status >= 500]
    recovered = first_ok is not None
    lines.append(
        "  after the restart: "
        + (
            f"first page from the database answered {first_ok - outage.restarted:.1f} s later"
            if recovered
            else "no page from the database answered"
        )
        + f"; statuses {statuses(after)}"
    )
    lines.append("  timeline (by start of request, seconds from the stop): statuses, median ms")
    lines += timeline(samples, outage.stopped, step=5.0)
    checks = [
        Check(
            "while the database is down, pages that need it answer 503 (not 500, not a dropped"
            " connection)",
            bool(db_pages) and all(s.status == 503 for s in db_pages),
            statuses(db_pages),
        ),
        Check(
            "Peerlink recovers without a restart (every page read from the database answers"
            f" from {grace:.0f} s after it is back)",
            recovered and not late_errors,
            f"{len(late_errors)} late 5xx" if late_errors else "",
        ),
    ]
    return "\n".join(lines), checks


def timeline(samples: list[Sample], origin: float, step: float) -> list[str]:
    """Statuses and median latency per slice of time: what the outage looked like."""
    slices: dict[int, list[Sample]] = {}
    for sample in samples:
        slices.setdefault(int((sample.start - origin) // step), []).append(sample)
    return [
        f"    {k * step:+6.0f} s  {statuses(group):<40} "
        f"{percentile([s.seconds * 1000 for s in group], 50):>8.0f}"
        for k, group in sorted(slices.items())
    ]


def check_database(url: str, recorder: Recorder, run: str) -> list[Check]:
    """Every accepted write exactly once, and nothing half-written by any attempt."""
    engine = create_engine(url)
    checks: list[Check] = []
    try:
        with engine.connect() as conn:
            users = {
                email: (uid, n)
                for email, uid, n in conn.execute(
                    text(
                        "SELECT u.email, u.id, (SELECT count(*) FROM business b WHERE b.owner_id"
                        ' = u.id) FROM "user" u WHERE u.email LIKE :pattern'
                    ),
                    {"pattern": f"member-{run}-%"},
                )
            }
            businesses = {
                slug: (bid, owner, name)
                for slug, bid, owner, name in conn.execute(
                    text(
                        'SELECT b.slug, b.id, u.email, b.name FROM business b JOIN "user" u'
                        " ON u.id = b.owner_id WHERE u.email LIKE :pattern"
                    ),
                    {"pattern": f"member-{run}-%"},
                )
            }
            topics: dict[int, set[tuple[str, str]]] = {}
            for bid, kind, topic in conn.execute(
                text(
                    "SELECT t.business_id, t.kind, t.topic FROM business_topic t JOIN business b"
                    ' ON b.id = t.business_id JOIN "user" u ON u.id = b.owner_id'
                    " WHERE u.email LIKE :pattern"
                ),
                {"pattern": f"member-{run}-%"},
            ):
                topics.setdefault(bid, set()).add((kind, topic))
            intros = list(
                conn.execute(
                    text(
                        "SELECT i.id, r.slug, t.slug, (SELECT count(*) FROM introduction_event e"
                        " WHERE e.introduction_id = i.id AND e.to_state = 'requested'"
                        " AND e.from_state IS NULL) FROM introduction i"
                        " JOIN business r ON r.id = i.requester_id"
                        " JOIN business t ON t.id = i.target_id"
                        ' JOIN "user" u ON u.id = i.created_by_id WHERE u.email LIKE :pattern'
                    ),
                    {"pattern": f"member-{run}-%"},
                )
            )
    finally:
        engine.dispose()

    # Accepted: the "check your email" page was shown. The account and its business must
    # then exist exactly once, whether or not the member went on to confirm and sign in.
    accepted = [r for r in recorder.registrations if r.accepted]
    owned = Counter((email, name) for _, email, name in businesses.values())
    missing = [
        r.email
        for r in accepted
        if r.email not in users
        or users[r.email][1] != 1
        or owned[(r.email, r.name)] != 1
        or (
            r.slug is not None
            and businesses.get(r.slug, (None, None, None))[1:] != (r.email, r.name)
        )
    ]
    checks.append(
        Check(
            f"each of {len(accepted)} accepted registrations is in the database exactly once"
            " (one account, one business)",
            not missing,
            f"missing or doubled: {missing[:5]}" if missing else "",
        )
    )
    attempted = {r.email: r for r in recorder.registrations}
    partial = [email for email, (_, n) in users.items() if n != 1]
    for slug, (bid, email, _) in businesses.items():
        record = attempted.get(email)
        if record is None:
            partial.append(slug)
            continue
        wanted = {("need", t) for t in record.needs} | {("offer", t) for t in record.offers}
        if topics.get(bid, set()) != wanted:
            partial.append(slug)
    checks.append(
        Check(
            f"no partial registration among {len(users)} accounts the run created"
            " (each has its business, with all its needs and offers)",
            not partial,
            f"partial: {partial[:5]}" if partial else "",
        )
    )
    granted = [r for r in recorder.intro_requests if r.intro_id]
    rows = {i: (requester, target) for i, requester, target, _ in intros}
    pairs = Counter((requester, target) for _, requester, target, _ in intros)
    wrong = [
        r.intro_id
        for r in granted
        if rows.get(r.intro_id) != (r.requester, r.target) or pairs[(r.requester, r.target)] != 1
    ]
    checks.append(
        Check(
            f"each of {len(granted)} accepted introduction requests is in the database exactly"
            " once",
            not wrong,
            f"missing or doubled: {wrong[:5]}" if wrong else "",
        )
    )
    eventless = [i for i, _, _, events in intros if events != 1]
    checks.append(
        Check(
            f"no partial introduction among {len(intros)} the run created (each has its one"
            " 'requested' event)",
            not eventless,
            f"without their event: {eventless[:5]}" if eventless else "",
        )
    )
    return checks
