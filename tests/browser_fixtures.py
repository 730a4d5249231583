"""A real `streamlit run app.py` on loopback, and the waits a browser needs around it.

Shared by the browser tests (tests/test_browser.py), the load test (tests/test_load.py) and the
load benchmark (bench/load.py): each starts its own server over a prebuilt index, so nothing
is built while a browser waits, and stops it (with any child process) at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "install Debian's package with `sudo apt-get install chromium`, then run the tests again."
# The app's root element says whether the page's script is running; "notRunning" = settled.
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'


@dataclass(frozen=True)
class StreamlitServer:
    """A running server: its base URL (no trailing slash), process and log file."""

    url: str
    process: subprocess.Popen
    log: Path

    def rss_bytes(self) -> int:
        """Resident memory of the server and every process it started (from /proc)."""
        return sum(_rss(pid) for pid in [self.process.pid, *_descendants(self.process.pid)])

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def ensure_chromium() -> str:
    """Debian's Chromium, the browser every browser test drives (downloaded browsers fail here):
    installed with apt-get (as root, or through password-less sudo) the first time it is
    missing. Raises `RuntimeError` saying how to install it when that is not possible."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise RuntimeError(f"{CHROMIUM} is missing and this user cannot install it: {INSTALL_HINT}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        done = subprocess.run([*prefix, *step], capture_output=True, text=True, env=env, timeout=1800)
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"`{' '.join(step)}` failed ({why[0]}): {INSTALL_HINT}")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"apt-get installed chromium but {CHROMIUM} is still missing: {INSTALL_HINT}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(corpus: Path, index: Path, user_corpus: Path) -> dict[str, str]:
    """This process's environment with Dossier's settings replaced (none inherited; the saved
    views beside the user corpus folder, never the developer's own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(
        DOSSIER_CORPUS=str(corpus),
        DOSSIER_INDEX=str(index),
        DOSSIER_USER_CORPUS=str(user_corpus),
        DOSSIER_VIEWS=str(user_corpus.parent / "views.db"),
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def serve(
    env: dict[str, str], workdir: Path, secrets: str = "", timeout: float = 90
) -> Iterator[StreamlitServer]:
    """Run `streamlit run app.py` on a free loopback port until the block ends.

    `secrets` is the text of the server's only secrets file (an empty one by default, so a
    developer's own `.streamlit/secrets.toml` never changes what a test sees).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    secrets_file = workdir / "secrets.toml"
    secrets_file.write_text(secrets, encoding="utf-8")
    port = free_port()
    log = workdir / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # other edits in the tree must not prompt a rerun
        "--secrets.files", str(secrets_file),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = StreamlitServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        _stop(process)


def _wait_healthy(server: StreamlitServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"streamlit was not healthy after {timeout:.0f} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's process group: politely, then for good."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _descendants(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return children + [d for c in children for d in _descendants(c)]


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
