"""Reading documents into text, and refusing clearly what cannot be read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ventanas.normalize import doctext
from ventanas.normalize.doctext import DocumentError, read_bytes, read_document

FILES = Path(__file__).resolve().parent / "files" / "extraction"


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, WinAnsi)."""
    ops = ["BT /F1 11 Tf 72 740 Td 14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_table_rows():
    doc = read_document(FILES / "INT_CMW_INF_25_reconstruction_E.docx")
    assert doc.format == "docx" and not doc.truncated
    assert "i.e. before 5 August 2016" in doc.text
    assert "Tuesday, 30 August 2016 | 15:00 - 18:00 | Guatemala" in doc.text.splitlines()


def test_html_visible_text_without_comments_scripts_or_source_line_breaks():
    doc = read_bytes(b"<!-- RECONSTRUCTION note --><html><head><script>var x = '1 May 2020';</script></head>"
                     b"<body><p>The Summit will be held in\n   Riohacha, Colombia.</p>"
                     b"<table><tr><td>Morocco</td><td>28 March</td></tr></table></body></html>", name="a.html")
    assert doc.format == "html"
    lines = [line for line in doc.text.splitlines() if line]
    assert lines == ["The Summit will be held in Riohacha, Colombia.", "Morocco | 28 March"]


def test_html_without_extension_is_sniffed():
    doc = read_bytes(b"<!-- reconstruction -->\n<!DOCTYPE html><html><body><p>Hola</p></body></html>", name="page")
    assert (doc.format, doc.text) == ("html", "Hola")


def test_pdf_text_layer():
    doc = read_bytes(pdf_with_text(["CMW 36th session", "from 27 March to 6 April 2023"]), name="note.pdf")
    assert doc.format == "pdf"
    assert "from 27 March to 6 April 2023" in doc.text


def test_pdf_lines_wrapped_inside_a_paragraph_are_joined():
    # A PDF breaks "from 13 / October to 6 November 2025" over two lines; titles and list items stay.
    doc = read_bytes(pdf_with_text([
        "Human Rights Committee",
        "1. The Human Rights Committee will hold its 145th session at Palais Wilson, Geneva, from 13",
        "October to 6 November 2025. It will consider the reports of Colombia and the",
        "sixth periodic report of Uruguay.",
        "2. Written submissions are due by 15 September 2025."]), name="note.pdf")
    assert doc.text.splitlines() == [
        "Human Rights Committee",
        "1. The Human Rights Committee will hold its 145th session at Palais Wilson, Geneva, from 13 October to "
        "6 November 2025. It will consider the reports of Colombia and the sixth periodic report of Uruguay.",
        "2. Written submissions are due by 15 September 2025."]


def test_pdf_named_txt_is_read_as_pdf():
    assert read_bytes(pdf_with_text(["hello"]), name="note.txt").format == "pdf"


def test_pdf_without_text_is_a_clear_error():
    with pytest.raises(DocumentError, match="no text layer"):
        read_bytes(blank_pdf(), name="scan.pdf")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("junk.pdf", b"not a pdf at all", "not a valid PDF"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << garbage", "not a readable PDF"),
    ("junk.docx", b"PK\x03\x04 definitely not a zip", "not a valid DOCX"),
    ("junk.doc", b"\x00\x01 no OLE header", "not a valid DOC"),
    ("picture.png", b"\x89PNG\r\n\x1a\n", "unsupported file type '.png'"),
    ("binary.txt", bytes(range(256)) * 40, "looks binary"),
])
def test_unreadable_documents_are_clear_errors(name, data, message):
    with pytest.raises(DocumentError, match=message) as info:
        read_bytes(data, name=name)
    assert "\n" not in str(info.value)


def test_ole_file_that_is_no_word_document(tmp_path):
    if doctext.shutil.which("antiword") is None:
        pytest.skip("antiword is not installed (.ci/run installs it)")
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(DocumentError, match="not a readable Word 97-2003 file"):
        read_bytes(data, name="old.doc")


def test_doc_without_antiword_says_what_to_install(monkeypatch):
    monkeypatch.setattr(doctext.shutil, "which", lambda name: None)
    with pytest.raises(DocumentError, match="apt-get install antiword"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="old.doc")


def test_empty_file_is_empty_text(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert read_document(path).text == ""


def test_mixed_encodings_keep_both_halves():
    data = "Reunión en Ginebra\n".encode() + "Réunion à Genève\n".encode("cp1252")
    doc = read_bytes(data, name="mixed.txt")
    assert doc.text.splitlines() == ["Reunión en Ginebra", "Réunion à Genève"]
    assert any("Windows-1252" in note for note in doc.notes)


def test_utf16_with_bom():
    assert read_bytes("Genève, 5 août 2016".encode("utf-16"), name="a.txt").text == "Genève, 5 août 2016"


def test_fifty_megabytes_are_cut_and_said(tmp_path):
    path = tmp_path / "huge.txt"
    line = b"The Committee will meet from 2 to 13 December 2024 in Geneva.\n"
    with path.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    started = time.perf_counter()
    doc = read_document(path)
    assert time.perf_counter() - started < 10
    assert doc.truncated and len(doc.text) <= doctext.MAX_CHARS
    assert any("MB" in note for note in doc.notes)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DocumentError, match="cannot read"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(DocumentError, match="is a directory"):
        read_document(tmp_path)


def test_big_binary_document_is_refused(monkeypatch):
    monkeypatch.setattr(doctext, "MAX_BYTES", 1000)
    with pytest.raises(DocumentError, match="larger than"):
        read_bytes(pdf_with_text(["x"]) + b"%" * 2000, name="big.pdf")
