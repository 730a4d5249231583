"""Property-based: whatever bytes or text a user hands the loaders (random, or a real file
cut short), the only failure is a `BadInputError` with a message — never a crash — and a
refused file leaves the library as it was."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.corpus.library import Library, add_file, list_articles
from lib.corpus.load import SUFFIXES, parse_article_bytes
from lib.errors import BadInputError
from tests.conftest import SEEDS
from tests.test_corpus_formats import make_pdf

NAMES = [f"sample{suffix}" for suffix in sorted(SUFFIXES)]
HTML = (
    b"<html><head><title>Talks</title><script>var x = 1;</script></head><body><article><h1>Talks resume"
    b"</h1><p>Envoys met in Panmunjom on Sunday and agreed to resume working-level talks.</p><p>Both sides"
    b" called the meeting constructive.</p></article></body></html>"
)
JSON = json.dumps({"title": "Talks", "text": "Envoys met in Panmunjom on Sunday."}).encode()
SAMPLES = {"sample.html": HTML, "sample.pdf": make_pdf("Envoys met in Panmunjom"), "sample.json": JSON}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parse_or_refuse(name: str, data: bytes) -> None:
    try:
        records = list(parse_article_bytes(name, data))
    except BadInputError as exc:
        assert str(exc).strip()
        return
    assert all(isinstance(r["text"], str) and r["text"].strip() for r in records)


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=2048))
def test_random_bytes_only_raise_bad_input(name, data):
    parse_or_refuse(name, data)


@FUZZ
@given(name=st.sampled_from(NAMES), text=st.text(max_size=1000))
def test_random_unicode_only_raises_bad_input(name, text):
    parse_or_refuse(name, text.encode("utf-8"))


@FUZZ
@given(name=st.sampled_from(sorted(SAMPLES)), cut=st.floats(min_value=0.0, max_value=0.999))
def test_truncated_files_only_raise_bad_input(name, cut):
    data = SAMPLES[name]
    parse_or_refuse(name, data[: int(len(data) * cut)])


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    return Library(tmp_path_factory.mktemp("fuzz") / "user", (SEEDS,), max_bytes=1024 * 1024)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=1024))
def test_adding_random_files_stores_them_or_refuses_them_cleanly(library, name, data):
    before = len(list_articles(library))
    try:
        ids = add_file(library, name, data)
    except BadInputError:
        assert len(list_articles(library)) == before
        return
    assert len(list_articles(library)) == before + len(ids)
