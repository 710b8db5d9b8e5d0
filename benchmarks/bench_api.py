"""The JSON API against the HTML page for the same directory searches (7,000 businesses).

Run: .venv/bin/python benchmarks/bench_api.py [--businesses 7000] [--requests 200]
Each round sends the same query (`near`, `radius_km` and facets) to /businesses and to
/api/v1/businesses, in alternating order, and prints the medians, p90s and the ratio
API / page. The target is an API median within 1.2x of the page's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_directory import FACETS, PLACES, make_app, percentile  # noqa: E402

from directory import demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--businesses", type=int, default=7000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "demo.sqlite")
        app.config.update(RATELIMIT_ENABLED=False)
        with app.app_context():
            demo.load(n=args.businesses, seed=1, password="benchmark-pass")
        app.config["API_READ_RATE_LIMIT"] = "1000000/minute"
        client = app.test_client()
        queries = [
            f"near={rng.choice(PLACES)}&radius_km={rng.choice([10, 25, 50])}{rng.choice(FACETS)}"
            for _ in range(args.requests)
        ]
        for query in queries[:20]:  # warm caches, the geocoder and the matching index
            client.get(f"/businesses?{query}")
            client.get(f"/api/v1/businesses?{query}")
        timings: dict[str, list[float]] = {"page": [], "api": []}
        for i, query in enumerate(queries):
            order = ["page", "api"] if i % 2 == 0 else ["api", "page"]
            for kind in order:
                url = f"/businesses?{query}" if kind == "page" else f"/api/v1/businesses?{query}"
                started = time.perf_counter()
                response = client.get(url)
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
    page, api = statistics.median(timings["page"]), statistics.median(timings["api"])
    print(f"{args.businesses} businesses, {args.requests} queries with near + facets (SQLite)")
    print(f"  /businesses       p50 {page:6.1f} ms   p90 {percentile(timings['page'], 90):6.1f} ms")
    print(f"  /api/v1/businesses p50 {api:6.1f} ms   p90 {percentile(timings['api'], 90):6.1f} ms")
    print(f"  ratio API / page (p50): {api / page:.2f}  (target <= 1.20)")


if __name__ == "__main__":
    main()
