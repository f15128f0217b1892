"""Reading a document into plain text: .txt, .html, .docx, .pdf and .doc.

The extraction engine reads text; this module turns a file (or bytes) into it,
one paragraph or table row per line, and says clearly what it could not read.
Work is bounded: at most :data:`MAX_BYTES` of a file are read and at most
:data:`MAX_CHARS` characters are returned (``DocumentText.truncated`` says so),
and the .doc reader runs under a time limit. What a small file can unpack into
is bounded too, so a hostile file costs a bounded time and memory and ends in
one :class:`DocumentError` line:

- .docx: ``word/document.xml`` is read as a stream, at most :data:`MAX_XML_BYTES`
  unpacked (its declared size is checked before reading, its actual size while
  reading), and parsed incrementally (lxml's iterparse, no entities, no huge
  trees), each paragraph or table dropped once read; python-docx would unpack and
  parse the whole part at once.
- .pdf: pypdf runs under stricter limits (:data:`MAX_PDF_STREAM_BYTES` per
  decompressed stream, a parsing budget per content stream), at most
  :data:`MAX_PDF_CONTENT_BYTES` of page content are read, and a limit reached
  is one line.
- HTML: lxml's parser stops at a depth of 256 and drops the rest of the page
  (300 unclosed ``<font>`` tags are enough); a page it cuts short is read again
  by a tokenizer that keeps no tree (:class:`_FlatText`), so no depth is too much.

Formats are recognized by their first bytes when those are distinctive (a PDF
named .txt is read as a PDF), by the extension otherwise.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ventanas.normalize.text import clean_multiline

MAX_BYTES = 20 * 1024 * 1024  # larger files are cut (text) or refused (binary formats)
MAX_CHARS = 1_000_000  # about 300 pages: far more than any information note or advisory
MAX_PDF_PAGES = 300
MAX_XML_BYTES = 32 * 1024 * 1024  # a .docx's word/document.xml, unpacked: ten times a 300-page report's
MAX_PDF_STREAM_BYTES = 16 * 1024 * 1024  # one decompressed PDF stream (pypdf's own default is 75 MB)
MAX_PDF_CONTENT_BYTES = 64 * 1024 * 1024  # the content streams of all pages read, decompressed
MAX_PDF_OPERANDS = 500_000  # per content stream; a dense text page has a few tens of thousands
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
        with path.open("rb") as fh:  # read(n) allocates n bytes up front: ask for no more than there is
            data = fh.read(min(size, MAX_BYTES) + 1)
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
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):  # a broken central directory
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
    """Visible text, one block per line; table cells of a row joined with " | ".

    lxml's tree first (what every page so far was read with). libxml2 stops at a depth
    of 256 and drops the rest of the page (unclosed ``<font>`` tags nest, so 300 of them
    are enough); such a page, or one lxml refuses, is read by :class:`_FlatText`, which
    keeps no tree and so has no depth to run out of."""
    import lxml.html
    from lxml import etree

    if not markup.strip():
        return ""
    parser = lxml.html.HTMLParser(huge_tree=False)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except etree.ParserError:
        return ""  # nothing but comments or a doctype: no text
    except ValueError:  # a str with an XML encoding declaration (XHTML): lxml will not take it
        return _FlatText.text_of(markup)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        return _FlatText.text_of(markup)  # cut short: what follows the limit would be lost
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
    return _finish_html_text(parts)


def _finish_html_text(parts: list[str]) -> str:
    text = "".join(parts)
    text = re.sub(r"\n\s*\|\s*", "\n", text)
    return clean_multiline(text)


_LONE_LT = re.compile(r"<(?![A-Za-z/!?])")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_HIDDEN = {"script", "style", "noscript", "template"}


class _FlatText(HTMLParser):
    """The same text as the tree walk of :func:`html_to_text`, from the tag stream alone.

    Python's tokenizer keeps no tree: no depth limit, memory for the text only, and
    an unclosed or misnested tag changes nothing but where a line breaks (an end tag
    the markup leaves implied breaks no line here). Used where lxml gives up."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # inside script, style, noscript, template
        self.pre = 0

    @classmethod
    def text_of(cls, markup: str) -> str:
        reader = cls()
        # a "<" that opens no tag is text; the tokenizer would try it one character at a time
        reader.feed(_LONE_LT.sub("&lt;", markup))
        reader.close()
        return _finish_html_text(reader.parts)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        if self.hidden:
            return
        if tag in ("td", "th") and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" | ")
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "pre":
            self.pre += 1
        if tag in _VOID:
            self.handle_endtag(tag)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data if self.pre else _flat(data))


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


class _TooLarge(Exception):
    """A stream passed its cap while being read."""


class _CappedReader:
    """A file-like view of ``stream`` that raises :class:`_TooLarge` past ``cap`` bytes read:
    a zip member's declared size is only a claim, this counts what it really unpacks to."""

    def __init__(self, stream, cap: int):
        self.stream, self.cap, self.count = stream, cap, 0

    def read(self, size: int = -1) -> bytes:
        room = self.cap + 1 - self.count  # one byte past the cap tells "more" from "exactly the cap"
        data = self.stream.read(room if size is None or size < 0 else min(size, room))
        self.count += len(data)
        if self.count > self.cap:
            raise _TooLarge
        return data


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


_W_BODY = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body"


def _docx_text(data: bytes, name: str) -> DocumentText:
    """Paragraphs and table rows of the main part, in order, read as a bounded stream."""
    from lxml import etree

    label = name or "document"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        member = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise DocumentError(f"{label} is not a readable .docx file ({exc})") from exc
    if member.file_size > MAX_XML_BYTES:
        raise DocumentError(f"{label}: its text (word/document.xml) says it unpacks to "
                            f"{_megabytes(member.file_size)}, more than the {_megabytes(MAX_XML_BYTES)} "
                            "ventanas reads; not read")
    lines: list[str] = []
    chars = 0
    try:
        with archive.open(member) as stream:
            parts = etree.iterparse(_CappedReader(stream, MAX_XML_BYTES), events=("end",),
                                    tag=("{*}p", "{*}tbl"), resolve_entities=False, huge_tree=False,
                                    no_network=True, load_dtd=False)
            for _event, block in parts:
                parent = block.getparent()
                if parent is None or parent.tag != _W_BODY:
                    continue  # a paragraph inside a table: read with its table
                new = _docx_block_lines(block)
                lines += new
                chars += sum(len(line) + 1 for line in new)
                block.clear(keep_tail=False)
                while block.getprevious() is not None:  # what was read is dropped: memory per block
                    del parent[0]
                if chars > MAX_CHARS:
                    break  # read_bytes cuts the text and says so; the rest is never unpacked
    except _TooLarge as exc:
        raise DocumentError(f"{label}: its text (word/document.xml) unpacks to more than "
                            f"{_megabytes(MAX_XML_BYTES)}, the most ventanas reads; not read") from exc
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"{label} is not a readable .docx file (word/document.xml: "
                            f"{str(exc).splitlines()[0] if str(exc) else 'not XML'})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        # a CRC that does not match (a member that lies about its size), a cut or encrypted member
        raise DocumentError(f"{label} is not a readable .docx file ({exc})") from exc
    return DocumentText(clean_multiline("\n".join(lines)), "docx")


def _docx_block_lines(block) -> list[str]:
    """A body paragraph as one line; a table as one line per row, its cells joined with " | "."""
    if block.tag.rsplit("}", 1)[-1] == "p":
        return ["".join(t.text or "" for t in block.iter("{*}t"))]
    lines = []
    for row in block.iter("{*}tr"):
        cells = [" ".join("".join(t.text or "" for t in p.iter("{*}t")) for p in cell.iter("{*}p")).strip()
                 for cell in row.iterchildren("{*}tc")]
        lines.append(" | ".join(c for c in cells if c))
    return lines


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


def _pdf_limits():
    """pypdf's limits, stricter for reading text (pypdf's documented Configuration, 6.18 and
    later): no stream unpacks past MAX_PDF_STREAM_BYTES, no content stream parses into more than
    MAX_PDF_OPERANDS objects (where the installed pypdf has that budget), no external decoder runs."""
    import dataclasses

    import pypdf

    wanted = {
        "zlib_maximum_output_length": MAX_PDF_STREAM_BYTES, "lzw_maximum_output_length": MAX_PDF_STREAM_BYTES,
        "run_length_maximum_output_length": MAX_PDF_STREAM_BYTES,
        "brotli_maximum_output_length": MAX_PDF_STREAM_BYTES,
        "array_based_stream_maximum_output_length": MAX_PDF_STREAM_BYTES,
        "stream_parsing_work_maximum_count": MAX_PDF_OPERANDS, "jbig2dec_binary": None,
    }
    known = {f.name for f in dataclasses.fields(pypdf.Configuration)}
    return pypdf.apply_configuration(**{k: v for k, v in wanted.items() if k in known})


class _PdfLimitWarnings(logging.Handler):
    """pypdf's warnings while a PDF is read, kept instead of printed; the ones saying a limit
    was reached are counted: pypdf skips such a part of a page (a form XObject) and goes on."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.limits = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "limit reached" in record.getMessage().lower():
            self.limits += 1

    @contextmanager
    def capturing(self) -> Iterator[_PdfLimitWarnings]:
        logger = logging.getLogger("pypdf")
        saved = logger.level, logger.propagate
        logger.setLevel(logging.WARNING)  # malformed PDFs log warnings per object: kept from the terminal
        logger.propagate = False
        logger.addHandler(self)
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(saved[0])
            logger.propagate = saved[1]


def _pdf_text(data: bytes, name: str) -> DocumentText:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

    label = name or "document"
    bomb = f"{label}: not read: a part of it unpacks past the limits ventanas sets (a decompression bomb?)"
    notes: list[str] = []
    texts: list[str] = []
    try:
        with _pdf_limits(), _PdfLimitWarnings().capturing() as warnings:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except (PdfReadError, NotImplementedError) as exc:
                    raise DocumentError(f"{label} is an encrypted PDF") from exc
            pages = reader.pages
            if len(pages) > MAX_PDF_PAGES:
                notes.append(f"only the first {MAX_PDF_PAGES} of {len(pages)} pages read")
            content = chars = 0
            for i in range(min(len(pages), MAX_PDF_PAGES)):
                page = pages[i]
                stream = page.get_contents()  # decompressed once: pypdf keeps it for extract_text
                content += len(stream.get_data()) if stream is not None else 0
                if content > MAX_PDF_CONTENT_BYTES:
                    notes.append(f"pages after {i} not read: their content passes "
                                 f"{_megabytes(MAX_PDF_CONTENT_BYTES)} unpacked")
                    break
                texts.append(page.extract_text() or "")
                chars += len(texts[-1])
                if chars > MAX_CHARS:
                    break  # read_bytes cuts the text and says so
    except DocumentError:
        raise
    except LimitReachedError as exc:
        raise DocumentError(f"{bomb}: {_one_line(exc)}") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, zlib.error,
            RecursionError) as exc:
        if "limit reached" in str(exc).lower():  # pypdf wraps some (a cross-reference stream's)
            raise DocumentError(f"{bomb}: {_one_line(exc)}") from exc
        raise DocumentError(f"{label} is not a readable PDF ({type(exc).__name__}: {_one_line(exc)})") from exc
    text = reflow(clean_multiline("\n".join(texts)))
    if warnings.limits:
        if not text:
            raise DocumentError(f"{bomb}: pypdf skipped {warnings.limits} part(s) of its pages")
        notes.append(f"{warnings.limits} part(s) of its pages not read: they unpack past the limits ventanas sets")
    if not text:
        raise DocumentError(f"{label} has no text layer (a scanned PDF?); "
                            "ventanas does not OCR")
    return DocumentText(text, "pdf", truncated=bool(notes), notes=notes)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
