"""Reading a document into plain text: .txt, .html, .docx, .pdf and .doc.

The extraction engine reads text; this module turns a file (or bytes) into it,
one paragraph or table row per line, and says clearly what it could not read.
Work is bounded: at most :data:`MAX_BYTES` of a file are read and at most
:data:`MAX_CHARS` characters are returned (``DocumentText.truncated`` says so),
and the .doc reader runs under a time limit.

Formats are recognized by their first bytes when those are distinctive (a PDF
named .txt is read as a PDF), by the extension otherwise.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ventanas.normalize.text import clean_multiline

MAX_BYTES = 20 * 1024 * 1024  # larger files are cut (text) or refused (binary formats)
MAX_CHARS = 1_000_000  # about 300 pages: far more than any information note or advisory
MAX_PDF_PAGES = 300
DOC_TIMEOUT_S = 20
SUPPORTED = (".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".docx", ".pdf", ".doc")


class DocumentError(ValueError):
    """A document that cannot be read as text; the message is one line, meant for the user."""


@dataclass
class DocumentText:
    text: str
    format: str  # txt, html, docx, pdf, doc
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def read_document(path: str | Path) -> DocumentText:
    """The text of the file at ``path``; DocumentError when it cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except IsADirectoryError as exc:
        raise DocumentError(f"{path} is a directory, not a document") from exc
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return read_bytes(data, name=path.name, total_size=size)


def read_bytes(data: bytes, *, name: str = "", total_size: int | None = None) -> DocumentText:
    total_size = len(data) if total_size is None else total_size
    cut = total_size > MAX_BYTES or len(data) > MAX_BYTES
    data = data[:MAX_BYTES]
    suffix = Path(name).suffix.lower()
    kind = _sniff(data) or _by_extension(suffix, name)
    if kind in ("pdf", "docx", "doc") and cut:
        raise DocumentError(f"{name or 'document'} is {total_size // (1024 * 1024)} MB: "
                            f"larger than the {MAX_BYTES // (1024 * 1024)} MB ventanas reads")
    reader = {"pdf": _pdf_text, "docx": _docx_text, "doc": _doc_text, "html": _html_text, "txt": _plain_text}[kind]
    doc = reader(data, name)
    if cut:
        doc.truncated = True
        doc.notes.append(f"only the first {MAX_BYTES // (1024 * 1024)} MB of {total_size // (1024 * 1024)} MB read")
    if len(doc.text) > MAX_CHARS:
        doc.text = doc.text[:MAX_CHARS]
        doc.truncated = True
        doc.notes.append(f"text cut at {MAX_CHARS:,} characters")
    return doc


def _sniff(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        return "docx" if "word/document.xml" in names else None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Word 97-2003 and other Office files
        return "doc"
    lowered = head[:4096].lower()
    if lowered.startswith(b"<") and (b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered):
        return "html"
    return None


def _by_extension(suffix: str, name: str) -> str:
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".txt", ".text", ".md", ""):
        return "txt"
    if suffix in (".pdf", ".docx", ".doc"):
        # The extension promised a binary format the bytes do not have.
        raise DocumentError(f"{name} is not a valid {suffix[1:].upper()} file")
    raise DocumentError(f"unsupported file type {suffix!r} ({name}); ventanas reads "
                        + ", ".join(SUPPORTED))


# -- plain text ------------------------------------------------------------------

_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Bytes → text, line by line: UTF-8 where it decodes, Windows-1252 where it does not.

    Files pasted together from several sources mix encodings; decoding each
    line on its own keeps the accents of both halves ("Ginebra", "Genève").
    """
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), notes
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sample = data[:65536]
    if sample and len(_CONTROL_BYTES.findall(sample)) > max(8, len(sample) // 100):
        raise DocumentError("the file looks binary, not text (control bytes throughout)")
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    lines, legacy = [], 0
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            legacy += 1
    notes.append(f"{legacy} line(s) were not UTF-8 and were read as Windows-1252")
    return "\n".join(lines), notes


def _plain_text(data: bytes, name: str) -> DocumentText:
    text, notes = decode_text(data)
    return DocumentText(clean_multiline(text), "txt", notes=notes)


# -- HTML ------------------------------------------------------------------------

_BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "section", "article",
           "header", "footer", "dt", "dd", "blockquote", "pre", "ul", "ol", "title", "caption"}


def _flat(text: str) -> str:
    """Line breaks in HTML source are spaces; only blocks break lines."""
    return re.sub(r"\s+", " ", text)


def html_to_text(markup: str) -> str:
    """Visible text, one block per line; table cells of a row joined with " | "."""
    import lxml.html
    from lxml import etree

    if not markup.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    for node in root.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    parts: list[str] = []

    def walk(node) -> None:
        if not isinstance(node.tag, str):  # a comment or processing instruction: not the page's text
            if node.tail:
                parts.append(node.tail)
            return
        tag = node.tag
        if tag in ("td", "th") and parts and not parts[-1].endswith("\n"):
            parts.append(" | ")
        if tag in _BLOCKS:
            parts.append("\n")
        if node.text:
            parts.append(node.text if tag == "pre" else _flat(node.text))
        for child in node:
            walk(child)
        if tag in _BLOCKS:
            parts.append("\n")
        if node.tail:
            parts.append(_flat(node.tail))

    walk(root)
    text = "".join(parts)
    text = re.sub(r"\n\s*\|\s*", "\n", text)
    return clean_multiline(text)


def _html_text(data: bytes, name: str) -> DocumentText:
    declared = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.I)
    notes: list[str] = []
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        try:
            text = data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            text, notes = decode_text(data)
    else:
        text, notes = decode_text(data)
    return DocumentText(html_to_text(text), "html", notes=notes)


# -- Word ------------------------------------------------------------------------


def _docx_text(data: bytes, name: str) -> DocumentText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"{name or 'document'} is not a readable .docx file ({exc})") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append(" ".join("".join(t.text or "" for t in p.iter() if t.tag.endswith("}t"))
                                                  for p in cell.iter() if p.tag.endswith("}p")).strip())
                    lines.append(" | ".join(c for c in cells if c))
    return DocumentText(clean_multiline("\n".join(lines)), "docx")


def _doc_text(data: bytes, name: str) -> DocumentText:
    """Word 97-2003 through antiword (Debian package), the one maintained reader of the format."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise DocumentError("reading .doc files needs antiword (apt-get install antiword); "
                            "or save the file as .docx or .pdf")
    try:
        done = subprocess.run([antiword, "-w", "0", "-"], input=data, capture_output=True,
                              timeout=DOC_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise DocumentError(f"{name or 'document'}: antiword took more than {DOC_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DocumentError(f"{name or 'document'} is not a readable Word 97-2003 file"
                            + (f" ({reason[-1]})" if reason else ""))
    text, notes = decode_text(done.stdout)
    return DocumentText(clean_multiline(text), "doc", notes=notes)


# -- PDF -------------------------------------------------------------------------


_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[•·▪\-–]|\([a-z0-9]\))\s")


def reflow(text: str) -> str:
    """Join the lines a PDF wrapped inside a paragraph ("from 13" / "October to 6 November").

    A line is continued when it is long (wrapped, not a title), does not end a
    sentence, and the next line does not start a list item."""
    out: list[str] = []
    for line in text.split("\n"):
        if (out and len(out[-1]) >= 40 and line and not out[-1].endswith((".", ":", ";", "!", "?"))
                and not _LIST_ITEM.match(line)):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def _pdf_text(data: bytes, name: str) -> DocumentText:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed PDFs log warnings per object
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except (PdfReadError, NotImplementedError) as exc:
                raise DocumentError(f"{name or 'document'} is an encrypted PDF") from exc
        pages = reader.pages
        notes = []
        if len(pages) > MAX_PDF_PAGES:
            notes.append(f"only the first {MAX_PDF_PAGES} of {len(pages)} pages read")
        texts = [pages[i].extract_text() or "" for i in range(min(len(pages), MAX_PDF_PAGES))]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise DocumentError(f"{name or 'document'} is not a readable PDF ({type(exc).__name__}: {exc})") from exc
    text = reflow(clean_multiline("\n".join(texts)))
    if not text:
        raise DocumentError(f"{name or 'document'} has no text layer (a scanned PDF?); "
                            "ventanas does not OCR")
    return DocumentText(text, "pdf", truncated=bool(notes), notes=notes)
