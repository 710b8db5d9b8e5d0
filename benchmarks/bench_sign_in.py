"""Sign-in time for a real account and for an unknown email, with the production hash (scrypt).

Run: .venv/bin/python benchmarks/bench_sign_in.py [--requests 30]
Prints the median time of a refused sign-in for an existing account (wrong password) and for
an email with no account, and their ratio (the target is about 1: the answer's timing must not
tell whether an account exists). The rate limits are switched off for the measurement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from directory import accounts, create_app  # noqa: E402
from directory.extensions import db  # noqa: E402


def median_ms(client, email: str, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.post("/login", data={"email": email, "password": "wrong password"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            upgrade()
            accounts.create_user("member@example.org", "the real password")
            db.session.commit()
        client = app.test_client()
        median_ms(client, "warm@example.org", 3)
        known = median_ms(client, "member@example.org", args.requests)
        unknown = median_ms(client, "nobody@example.org", args.requests)
        print(f"hash method: {app.config['PASSWORD_HASH_METHOD']}")
        print(f"refused sign-in, existing account: median {known:.1f} ms")
        print(f"refused sign-in, unknown email:    median {unknown:.1f} ms")
        print(f"ratio unknown / existing: {unknown / known:.2f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
