"""What the load run starts and must stop: a throwaway PostgreSQL cluster and gunicorn.

Everything lives in one temporary directory and gunicorn runs in its own session, so
`Stack.close()` (called from a finally block and from atexit) stops exactly what this run
started, even after Ctrl-C.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXCEPTION_ON = re.compile(r"Exception on (\S+) \[(\w+)\]")
HANDLER = re.compile(r"gunicorn_conf\.py|in handle_abort$")  # the frames that report the hang
BARE_500 = re.compile(r"Error handling request (\w+) (\S+)")
RAISED = re.compile(r"^([a-zA-Z_][\w.]*(?:Error|Exception|Timeout)\b.*)$")

# The app as `flask --app wsgi` builds it, but with its instance folder in the run's temporary
# directory, so the demo command does not overwrite the checkout's instance/demo-accounts.txt.
APP_MODULE = '''"""gunicorn and flask entry point for a load run (written by benchmarks/load.py)."""
import os

from directory import create_app, matchmaking

# Every simulated person comes from 127.0.0.1, so per-address rate limits would turn the run
# into a test of the limiter: they are off here (tests/web/test_ratelimits.py covers them).
app = create_app(
    {"INSTANCE_PATH": os.environ["PEERLINK_LOAD_INSTANCE"], "RATELIMIT_ENABLED": False}
)
if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
    matchmaking.warm_up(app)
'''


# gunicorn kills a worker that has been stuck for --timeout seconds; before it goes, it says
# where it was stuck (gunicorn calls worker_abort in the worker on the SIGABRT it sends).
GUNICORN_CONFIG = '''"""gunicorn settings for a load run (written by benchmarks/load.py)."""
import sys
import traceback


def worker_abort(worker):
    for frame in sys._current_frames().values():
        stack = "".join(traceback.format_stack(frame))
        worker.log.critical("HUNG WORKER STACK\\n%sEND OF STACK", stack)
'''


def free_port(low: int, high: int) -> int:
    """The first port of [low, high] nobody listens on (a run keeps to its own range)."""
    for port in range(low, high + 1):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {high}")


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
    return Path(found[-1])


def page_of(path: str) -> str:
    """/businesses/a-slug -> /businesses/<slug>: exceptions counted per page, like latencies."""
    path = path.split("?")[0]
    path = re.sub(r"^/businesses/(?!new$)[^/]+", "/businesses/<slug>", path)
    return re.sub(r"/\d+", "/<id>", path)


class PostgresCluster:
    """initdb + pg_ctl in a directory of the run, as the postgres user when run as root."""

    def __init__(self, root: Path, port: int):
        self.data = root / "pgdata"
        self.port = port
        self.bin = _pg_bin()
        self.url = f"postgresql://postgres@127.0.0.1:{port}/peerlink"
        self.running = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *args], check=check, capture_output=True, text=True, timeout=120
        )

    def create(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--no-locale",
            "--auth=trust",
        )
        self.start()
        self._run(
            str(self.bin / "psql"),
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE peerlink",
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data}"
        result = self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
            check=False,
        )
        if result.returncode != 0:
            log = (self.data / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False
        )
        self.running = False


class Stack:
    """The run's temporary directory and the processes started in it."""

    def __init__(self, keep: bool = False):
        self.root = Path(tempfile.mkdtemp(prefix="peerlink-load-"))
        self.root.chmod(0o711)  # the postgres user must reach its data directory inside
        self.instance = self.root / "instance"
        self.instance.mkdir()
        (self.root / "loadapp.py").write_text(APP_MODULE)
        (self.root / "gunicorn_conf.py").write_text(GUNICORN_CONFIG)
        self.keep = keep
        self.clusters: list[PostgresCluster] = []
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []
        atexit.register(self.close)

    def env(self, database_url: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY="load-run",
            PEERLINK_LOAD_INSTANCE=str(self.instance),
            PYTHONPATH=os.pathsep.join([str(self.root), str(REPO)]),
            MAIL_SERVER="",
        )
        return env

    def postgres(self, port: int) -> PostgresCluster:
        cluster = PostgresCluster(self.root, port)
        self.clusters.append(cluster)
        cluster.create()
        return cluster

    def flask(self, database_url: str, *args: str, timeout: float = 600) -> str:
        """Run a `flask --app loadapp ...` command; its output, or an error with it."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "loadapp", *args],
            cwd=self.root,
            env=self.env(database_url),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def gunicorn(self, database_url: str, port: int, workers: int, name: str) -> str:
        """Start gunicorn in its own session; its base URL once /healthz answers 200."""
        log = self.root / f"gunicorn-{name}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--error-logfile",
                str(log),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--config",
                str(self.root / "gunicorn_conf.py"),
                "loadapp:app",
            ],
            cwd=self.root,
            env=self.env(database_url),
            stdout=subprocess.DEVNULL,
            stderr=self._log(log),
            start_new_session=True,
        )
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return base
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 90 s")

    def errors(self, name: str) -> Counter[str]:
        """The exceptions gunicorn logged, by route: what stands behind each 500."""
        log = self.root / f"gunicorn-{name}.log"
        found: Counter[str] = Counter()
        route, last = "?", None
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        stack: list[str] | None = None
        for line in [*lines, "Exception on END [END]"]:
            if stack is not None:
                if "END OF STACK" in line:
                    where = " <- ".join(f.strip() for f in reversed(stack[-4:]))
                    found[f"gunicorn: a hung worker was stuck in {where}"] += 1
                    stack = None
                elif line.lstrip().startswith("File ") and not HANDLER.search(line):
                    stack.append(line.strip().replace(str(REPO) + "/", ""))
                continue
            if "HUNG WORKER STACK" in line:
                stack = []
            elif started := EXCEPTION_ON.search(line):
                if last:  # a chained traceback: its last exception is the one that escaped
                    found[f"{route}: {last}"] += 1
                route, last = f"{started.group(2)} {page_of(started.group(1))}", None
            elif bare := BARE_500.search(line):
                if last:
                    found[f"{route}: {last}"] += 1
                route = f"{bare.group(1)} {page_of(bare.group(2))} (then Flask's error page failed"
                route, last = route + " too: gunicorn's bare 500)", None
            elif "WORKER TIMEOUT" in line:
                found["gunicorn: worker timeout, killed and restarted"] += 1
            elif raised := RAISED.match(line):
                last = raised.group(1).split(" [SQL:")[0][:200]
        return found

    def _log(self, path: Path):
        stream = path.open("a")
        self.logs.append(stream)
        return stream

    def stop_process(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def close(self) -> None:
        """Stop gunicorn and PostgreSQL and remove the directory; safe to call twice."""
        while self.processes:
            self.stop_process(self.processes.pop())
        while self.logs:
            self.logs.pop().close()
        while self.clusters:
            cluster = self.clusters.pop()
            if cluster.running or (cluster.data / "postmaster.pid").exists():
                cluster.stop("immediate")
        if self.root.exists() and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
