from pathlib import Path

import pytest

from lib.cli.main import build_parser
from lib.errors import BadInputError
from lib.settings import load_settings, setting_rows
from tests.conftest import ROOT


def test_environment_overrides_defaults_and_explicit_values_win(monkeypatch, tmp_path):
    monkeypatch.setenv("DOSSIER_BATCH_SIZE", "8")
    monkeypatch.setenv("DOSSIER_INDEX", str(tmp_path))
    settings = load_settings()
    assert settings.batch_size == 8 and settings.resolved_index_dir == tmp_path
    assert load_settings(index_dir=Path("/x")).resolved_index_dir == Path("/x")


def test_default_index_folder_is_one_per_corpus(monkeypatch):
    monkeypatch.delenv("DOSSIER_INDEX", raising=False)
    a = load_settings(corpus_dir=Path("/data/a")).resolved_index_dir
    b = load_settings(corpus_dir=Path("/data/b")).resolved_index_dir
    assert a != b and a.parent == b.parent


def test_bad_values_are_clear_errors(monkeypatch):
    monkeypatch.setenv("DOSSIER_BATCH_SIZE", "many")
    with pytest.raises(BadInputError, match="DOSSIER_BATCH_SIZE|batch_size"):
        load_settings()
    monkeypatch.delenv("DOSSIER_BATCH_SIZE")
    with pytest.raises(BadInputError, match="fusion"):
        load_settings(fusion="magic")


def test_every_setting_and_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, env, _default, _help in setting_rows():
        assert f"`{env}`" in readme, f"{env} ({name}) is not in the README's settings table"
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"python -m lib {command}" in readme, f"command '{command}' is not documented"
