"""Each supported format loads a real sample made here, and each kind of bad file is refused
with a message that says what was wrong (lib/corpus/load.py's parsers)."""

import json
import re

import pytest

from lib.corpus.load import load_corpus, parse_article_bytes
from lib.errors import BadInputError

TEXT = "Hello Pyongyang. The summit in Hanoi ended without an agreement on sanctions."


def make_pdf(text: str | None = "Hello Pyongyang", encrypt: bool = False) -> bytes:
    """A minimal valid one-page PDF whose content stream draws `text` in Helvetica
    (no text layer at all when `text` is None, like a scanned page)."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode() if text is not None else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    data = bytes(out)
    if encrypt:
        import io

        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt("secret", algorithm="RC4-40")
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    return data


def one(name: str, data: bytes) -> dict:
    records = list(parse_article_bytes(name, data))
    assert len(records) == 1
    return records[0]


def test_pdf_text_is_extracted():
    record = one("brief.pdf", make_pdf())
    assert record["format"] == "pdf" and "Hello Pyongyang" in record["text"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (make_pdf(None), "no extractable text (scanned image?)"),
        (make_pdf()[:-60], "truncated"),
        (b"just some words", "not a PDF"),
        (make_pdf(encrypt=True), "password-protected"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", "damaged"),
    ],
    ids=["scanned", "truncated", "not-pdf", "encrypted", "broken"],
)
def test_bad_pdfs_are_refused_with_the_reason(data, message):
    with pytest.raises(BadInputError, match=re.escape(message)):
        one("bad.pdf", data)


def test_text_markdown_and_legacy_encodings():
    assert one("a.txt", TEXT.encode())["text"] == TEXT
    assert one("a.md", f"# Title\n\n{TEXT}".encode())["format"] == "markdown"
    latin = (
        "Le sommet de Hanoï entre les dirigeants s'est achevé jeudi sans accord. Les délégations ont "
        "quitté la capitale vietnamienne plus tôt que prévu, après l'échec des négociations sur la levée "
        "des sanctions économiques. À Pyongyang, la presse officielle a gardé le silence pendant deux jours."
    )
    assert "Hanoï" in one("a.txt", latin.encode("cp1252"))["text"]
    assert one("a.txt", TEXT.encode("utf-16"))["text"].strip() == TEXT


def test_html_article_text_without_scripts():
    page = (
        "<html><head><title>Summit</title><script>alert('x')</script></head><body>"
        f"<article><h1>Summit ends</h1><p>{TEXT}</p><p>{TEXT.upper()}</p>"
        "<script>document.write('tracking pixel')</script></article></body></html>"
    )
    record = one("page.html", page.encode())
    assert "Hanoi" in record["text"] and "tracking" not in record["text"] and "alert" not in record["text"]


def test_script_only_html_has_no_article_text():
    page = b"<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>"
    with pytest.raises(BadInputError, match="no article text"):
        one("page.html", page)


def test_json_jsonl_and_csv_records():
    record = one("a.json", json.dumps({"title": "T", "source": "S", "text": TEXT}).encode())
    assert (record["title"], record["source"], record["text"]) == ("T", "S", TEXT)
    lines = "\n".join(json.dumps({"id": f"n{i}", "text": f"{TEXT} {i}"}) for i in range(3))
    assert [r["article_id"] for r in parse_article_bytes("a.jsonl", lines.encode())] == ["n0", "n1", "n2"]
    csv_text = f'title,text\nFirst,"{TEXT}"\nSecond,"{TEXT} again"\n'
    assert [r["title"] for r in parse_article_bytes("a.csv", csv_text.encode())] == ["First", "Second"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.json", b'{"title": "T", "text": "cut', "cut off"),
        ("a.json", b"[" * 100_000, "nested too deeply"),
        ("a.csv", b"title,headline\nA,B\n", "no text column"),
        ("a.txt", b"\x00\x01binary\x00", "binary"),
        ("a.txt", b"   \n\n", "no text"),
        ("a.docx", b"PK\x03\x04", "not a supported format"),
    ],
    ids=["truncated-json", "deep-json", "csv-without-text", "binary", "blank", "unsupported"],
)
def test_bad_files_are_refused_with_the_reason(name, data, message):
    with pytest.raises(BadInputError, match=message):
        list(parse_article_bytes(name, data))


def test_a_folder_with_a_pdf_loads_it_beside_other_formats(tmp_path):
    (tmp_path / "brief.pdf").write_bytes(make_pdf())
    (tmp_path / "note.txt").write_text(TEXT)
    (tmp_path / "broken.pdf").write_bytes(make_pdf()[:-60])
    loaded = load_corpus(tmp_path)
    assert set(loaded.articles["article_id"]) == {"brief", "note"}
    assert [p.path for p in loaded.problems] == ["broken.pdf"]
