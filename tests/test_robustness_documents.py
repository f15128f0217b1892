"""Robustness, documents: reading a file into text (ventanas/normalize/doctext.py) against hostile files.

`run.py extract FILE` and the spiders read .docx, .pdf and .html documents a
stranger may have made: a small file that unpacks into gigabytes (a zip bomb,
a Flate bomb), HTML nested deeper than the parser goes. Each file is built
here, at test time, just past the cap it must trigger (not gigabytes): the
reader must stop at the cap, with one line that says why, in bounded memory
(tracemalloc's peak, the Python allocations: the unpacked bytes are those),
and a page that is merely deep must keep all its text.
"""

from __future__ import annotations

import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.conftest import run_cli, settings_env
from ventanas.normalize import doctext
from ventanas.normalize.doctext import DocumentError, read_bytes, read_document
from ventanas.normalize.extraction import extract_file

MB = 1024 * 1024
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
# A paragraph of 300 empty bold runs, ~9 KB of markup and no text: what a bomb repeats.
EMPTY_PARAGRAPH = ("<w:p>" + "<w:r><w:rPr><w:b/></w:rPr></w:r>" * 300 + "</w:p>").encode()


def docx(path: Path, xml_size: int, text: str = "Sessions: CMW 42, 13 April 2026.") -> Path:
    """A valid .docx whose word/document.xml is ``xml_size`` bytes or a little more, written in
    pieces: the test never holds it whole."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'.encode())
            member.write(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode())
            written = 0
            while written < xml_size:
                member.write(EMPTY_PARAGRAPH)
                written += len(EMPTY_PARAGRAPH)
            member.write(b"</w:body></w:document>")
    return path


def lie_about_size(path: Path, member: str, size: int) -> None:
    """Overwrite the uncompressed size ``member`` declares, in its local header and the central
    directory, with ``size`` (the data stay as they are)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + name_length_at)[0]
            if bytes(data[at + name_at:at + name_at + length]) == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def flate_bomb_pdf(path: Path, unpacked: int, where: str = "content") -> Path:
    """A one-page PDF with a stream of ``unpacked`` bytes of spaces, Flate-compressed (~1000:1): the
    page's content stream, or its font's /ToUnicode map (read while extracting text)."""
    packer = zlib.compressobj(9)
    chunk = b" " * MB
    bomb = b"".join(packer.compress(chunk) for _ in range(unpacked // MB)) + packer.flush()
    text = zlib.compress(b"BT /F1 12 Tf 72 720 Td (CMW 42nd session) Tj ET")
    content, cmap = (bomb, text) if where == "content" else (text, bomb)

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        stream(cmap),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


@pytest.fixture(scope="module")
def docx_bomb(tmp_path_factory) -> Path:
    """A .docx of under 2 MB whose word/document.xml unpacks to 4 MB past the cap."""
    return docx(tmp_path_factory.mktemp("docx") / "bomb.docx", doctext.MAX_XML_BYTES + 4 * MB)


@pytest.fixture(scope="module")
def pdf_bomb(tmp_path_factory) -> Path:
    """A PDF of under 1 MB whose font's /ToUnicode map unpacks to 80 MB (past pypdf's own 75 MB)."""
    return flate_bomb_pdf(tmp_path_factory.mktemp("pdf") / "bomb.pdf", 80 * MB, where="tounicode")


def read_measured(path: Path) -> tuple[DocumentError | None, int]:
    """read_document's error (or None) and the peak of Python memory while it ran."""
    tracemalloc.start()
    try:
        read_document(path)
        error = None
    except DocumentError as exc:
        error = exc
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, peak


def one_line(error: BaseException | None) -> str:
    assert error is not None, "the document was read as if nothing were wrong"
    message = str(error)
    assert message and "\n" not in message, message
    return message


# -- .docx -----------------------------------------------------------------------------


def test_docx_zip_bomb_stops_at_the_cap_in_bounded_memory(docx_bomb):
    """Regression: python-docx unpacked word/document.xml whole and parsed it whole (a 1.5 MB file
    with a 1.5 GB part: 3 GB of memory, then an lxml traceback). Here the part is a little past the
    cap: refused from the size it declares, one line, a few MB of Python memory."""
    assert docx_bomb.stat().st_size < 2 * MB
    error, peak = read_measured(docx_bomb)
    message = one_line(error)
    assert "unpacks to 36 MB, more than the 32 MB" in message and "bomb.docx" in message
    assert peak < 8 * MB, f"{peak / MB:.1f} MB of Python memory to refuse it"


def test_docx_member_declaring_more_than_the_cap_is_not_unpacked(tmp_path):
    """A part that declares 1.5 GB is refused from its header, before a byte is unpacked."""
    declared = docx(tmp_path / "declared.docx", 64 * 1024)
    lie_about_size(declared, "word/document.xml", 1536 * MB)
    error, peak = read_measured(declared)
    assert "says it unpacks to 1,536 MB" in one_line(error)
    assert peak < 2 * MB


@pytest.mark.parametrize("declared", [1024, 31 * MB], ids=["1KB", "under-the-cap"])
def test_docx_member_unpacking_past_its_declared_size_is_refused(declared, docx_bomb, tmp_path):
    """A part that declares less than it unpacks to, past the cap: read no further than the
    declared size nor the cap, and refused in one line (the checksum of what was read does not
    match, or the cap is passed)."""
    liar = tmp_path / "liar.docx"
    liar.write_bytes(docx_bomb.read_bytes())
    lie_about_size(liar, "word/document.xml", declared)
    error, peak = read_measured(liar)
    assert "liar.docx" in one_line(error)
    assert peak < 8 * MB, f"{peak / MB:.1f} MB"


def test_docx_under_the_cap_is_still_read(tmp_path):
    doc = read_document(docx(tmp_path / "big.docx", 4 * MB))
    assert doc.text == "Sessions: CMW 42, 13 April 2026." and not doc.truncated


# -- .pdf ------------------------------------------------------------------------------


def test_pdf_flate_bomb_is_one_line(pdf_bomb):
    """Regression: a font's /ToUnicode map unpacking past pypdf's 75 MB limit raised its
    LimitReachedError, which nobody caught: a traceback from `extract`. Now ventanas's own, lower,
    limit stops it, and says so in one line."""
    assert pdf_bomb.stat().st_size < MB
    error, peak = read_measured(pdf_bomb)
    message = one_line(error)
    assert "bomb.pdf" in message and "limit" in message
    assert peak < doctext.MAX_PDF_STREAM_BYTES * 3, f"{peak / MB:.1f} MB"


@pytest.mark.parametrize("where", ["content", "tounicode"])
def test_pdf_stream_past_the_stream_cap_is_one_line(where, tmp_path):
    """Below pypdf's 75 MB, above ventanas's per-stream cap: refused without unpacking it all
    (before, the page's content was unpacked whole and the PDF said to have "no text layer")."""
    error, peak = read_measured(flate_bomb_pdf(tmp_path / "bomb.pdf", doctext.MAX_PDF_STREAM_BYTES + 4 * MB,
                                               where=where))
    assert "limit" in one_line(error)
    assert peak < doctext.MAX_PDF_STREAM_BYTES * 3, f"{peak / MB:.1f} MB"


def test_pdf_under_the_caps_is_still_read(tmp_path):
    doc = read_document(flate_bomb_pdf(tmp_path / "spaces.pdf", 2 * MB, where="tounicode"))
    assert "CMW 42nd session" in doc.text


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_extract_of_a_bomb_is_one_line_no_traceback(kind, settings, docx_bomb, pdf_bomb):
    bomb = docx_bomb if kind == "docx" else pdf_bomb
    done = run_cli("extract", str(bomb), env=settings_env(settings), timeout=120)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and bomb.name in done.stderr, done.stderr


# -- HTML ------------------------------------------------------------------------------

DEADLINE = "Requests for accreditation must be received no later than 22 August 2016."


def test_html_nested_past_the_parser_depth_keeps_its_text():
    """Regression: lxml's parser stops at a depth of 256 and the page read as empty ("no text")."""
    markup = ("<html><body>" + "<div>" * 300 + f"<p>{DEADLINE}</p>" + "</div>" * 300
              + "<p>Second paragraph.</p></body></html>")
    text = read_bytes(markup.encode(), name="deep.html").text
    assert text.splitlines() == [DEADLINE, "", "Second paragraph."]


def test_unclosed_font_tags_lose_no_later_event(tmp_path):
    """Regression: 300 unclosed <font> tags (a word processor's export) nest 300 deep; the parser
    stopped at 256 and every event after them was silently lost."""
    page = tmp_path / "advisory.html"
    page.write_text("<html><body><p>CMW, 25th session.</p>" + "<font size=2>" * 300 + "Practical information"
                    + f"<p>{DEADLINE}</p><table><tr><td>Date</td><td>22 August 2016</td></tr></table>"
                    "</body></html>")
    events, _notes = extract_file(page, body="CMW", session="25")
    assert [e["key"] for e in events] == ["ohchr/CMW/25/deadline/accreditation"]
    lines = read_document(page).text.splitlines()
    assert DEADLINE in lines and lines[-1] == "Date | 22 August 2016"


def test_xhtml_with_an_xml_declaration_keeps_its_text():
    """lxml refuses a decoded page that still declares its encoding (ValueError): it read as empty."""
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{DEADLINE}</p></body></html>')
    assert read_bytes(page.encode(), name="note.xhtml").text == DEADLINE
