"""The audit as an editable Word document, built from ``audit.html``.

The HTML report is walked in order: section headings (``h2``, ``h3``, ``h4``) become Word's
built-in *Heading 1–3*, paragraphs *Normal*, lists *List Bullet* / *List Number*, tables a
named table style (:data:`TABLE_STYLE`) with their caption in *Caption*, figures the embedded
PNG with its caption in *Caption*. A consultant restyles the whole document by changing those
styles. Each page has the running header (client, title, district) and a page number; the
document properties give the title, author (the client) and subject (the district).
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import re

import docx
import lxml.etree
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from .._logo import read_logo
from ..config import AuditConfig
from ._browser import ConversionError

__all__ = ["HEADING_STYLES", "TABLE_STYLE", "audit_docx"]

#: HTML heading → Word style (the report's ``h1`` is the title).
HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
TABLE_STYLE = "Light List Accent 1"
#: Width of a figure on the page (Letter, default margins).
FIGURE_WIDTH = Inches(6.0)
LOGO_HEIGHT = Inches(0.6)
_SPACE = re.compile(r"\s+")
#: Characters a Word document cannot hold (XML 1.0 forbids them); dropped from the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_DATA_URI = re.compile(r"data:image/(png|jpeg|gif);base64,(.*)", re.S)
#: Elements whose content the document leaves out (the HTML's contents list is a Word field).
_SKIPPED = {"nav", "script", "style", "head", "pre", "code"}
_LISTS = {"ul": "List Bullet", "ol": "List Number"}
NOT_HTML = "the Word document could not be built: the report is not readable HTML ({reason})"


def audit_docx(page: str, *, config: AuditConfig, district: str) -> bytes:
    """Convert the audit's HTML page (``notebook_to_html``) to a ``.docx`` file's bytes.

    Raises
    ------
    ConversionError
        The page cannot be read as HTML.
    """
    try:
        root = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ConversionError(NOT_HTML.format(reason=exc)) from None
    for link in root.find_class("anchor-link"):  # the "¶" nbconvert adds to markdown headings
        link.drop_tree()
    document = docx.Document()
    # the style of a name never changes while the document is built; python-docx looks it up
    # (scanning every style for the default) on each paragraph and table otherwise
    document.part.get_style_id = functools.cache(document.part.get_style_id)
    _properties(document, config, district)
    _page_chrome(document, config, district)
    if config.branding.logo is not None:
        _, logo = read_logo(config.branding.logo)
        document.add_picture(io.BytesIO(logo), height=LOGO_HEIGHT)
    if config.client:
        document.add_paragraph(config.client, style="Subtitle")
    document.add_paragraph(config.title, style="Title")
    document.add_paragraph(config.district_name(district), style="Subtitle")
    _contents(document)
    for report in root.find_class("ek-report"):
        _blocks(document, report)
    for footer in root.find_class("ek-footer"):
        _blocks(document, footer)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _text(element) -> str:
    return _clean(element.text_content()).strip()


def _clean(text: str) -> str:
    """Text as Word can hold it: runs of white space as one space, no control characters."""
    return _SPACE.sub(" ", _NOT_XML.sub("", text))


def _blocks(document, element) -> None:
    """Add ``element``'s block content to the document, in order."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in _SKIPPED:
            continue
        if tag in HEADING_STYLES and tag != "h1":
            if _text(child):
                document.add_paragraph(_text(child), style=HEADING_STYLES[tag])
        elif tag == "p":
            _paragraph(document, child, italic="ek-note" in (child.get("class") or ""))
        elif tag in _LISTS:
            for item in child.iter("li"):
                _paragraph(document, item, style=_LISTS[tag])
        elif tag == "table":
            _table(document, child)
        elif tag == "img":
            _picture(document, child)
        elif tag == "figure":
            for image in child.iter("img"):
                _picture(document, image)
            for caption in child.iter("figcaption"):
                document.add_paragraph(_text(caption), style="Caption")
        else:
            _blocks(document, child)


def _paragraph(document, element, *, style: str | None = None, italic: bool = False) -> None:
    """A paragraph keeping bold and italic runs; nested lists are left to their own items."""
    text = _own_text(element).strip()
    if not text:
        return
    paragraph = document.add_paragraph(style=style)
    for piece, bold, emphasis in _runs(element):
        run = paragraph.add_run(piece)
        run.bold, run.italic = bold or None, (emphasis or italic) or None
    _trim(paragraph)


def _own_text(element) -> str:
    return "".join(piece for piece, _, _ in _runs(element))


def _runs(element, bold: bool = False, emphasis: bool = False):
    """``(text, bold, italic)`` pieces of an element, not descending into nested lists."""
    if element.text:
        yield _clean(element.text), bold, emphasis
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in _LISTS:
            yield from _runs(child, bold or tag in ("strong", "b"),
                             emphasis or tag in ("em", "i"))
        if child.tail:
            yield _clean(child.tail), bold, emphasis


def _trim(paragraph) -> None:
    """Strip the paragraph's leading and trailing spaces (they sit in its first and last runs)."""
    runs = paragraph.runs
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()


def _table(document, element) -> None:
    for caption in element.iter("caption"):
        document.add_paragraph(_text(caption), style="Caption")
    rows = [[(_text(cell), int(cell.get("colspan") or 1) if (cell.get("colspan") or "1")
              .isdigit() else 1) for cell in row if cell.tag in ("td", "th")]
            for row in element.iter("tr")]
    rows = [row for row in rows if row]
    if not rows:
        return
    width = max(sum(span for _, span in row) for row in rows)
    table = document.add_table(rows=0, cols=width, style=TABLE_STYLE)
    header_rows = len(element.xpath("./thead/tr"))
    # the rows' XML written directly: the same elements python-docx's add_row, merge and
    # cell.text make (a cell spanning columns is one w:tc with a w:gridSpan and their widths'
    # sum), at a fraction of their cost (they search the table's XML on every call)
    twips = [int(column.get(qn("w:w"))) for column in table._tbl.tblGrid.gridCol_lst]
    for number, row in enumerate(rows):
        tr = lxml.etree.SubElement(table._tbl, _W_TR)
        if number < header_rows:
            _header_row(tr)
        column = 0
        for text, span in row:
            last = min(column + span, width)
            _cell(tr, text, sum(twips[column:last]), last - column, right=column > 0)
            column = last
        for rest in range(column, width):  # columns the row leaves empty
            _cell(tr, None, twips[rest], 1, right=False)
    document.add_paragraph()


_W_TR, _W_TC, _W_TCPR, _W_TCW, _W_GRIDSPAN = (qn(t) for t in ("w:tr", "w:tc", "w:tcPr", "w:tcW",
                                                               "w:gridSpan"))
_W_P, _W_PPR, _W_JC, _W_R, _W_T = (qn(t) for t in ("w:p", "w:pPr", "w:jc", "w:r", "w:t"))
_W_VAL, _W_W, _W_TYPE, _XML_SPACE = qn("w:val"), qn("w:w"), qn("w:type"), qn("xml:space")


def _cell(tr, text: str | None, twips: int, span: int, *, right: bool) -> None:
    """A table cell ``twips`` wide spanning ``span`` grid columns holding ``text`` (one run,
    right-aligned when ``right``), or an empty one (``None``), as python-docx writes it."""
    sub = lxml.etree.SubElement
    tc = sub(tr, _W_TC)
    properties = sub(tc, _W_TCPR)
    width = sub(properties, _W_TCW)
    width.set(_W_TYPE, "dxa")
    width.set(_W_W, str(twips))
    if span > 1:
        sub(properties, _W_GRIDSPAN).set(_W_VAL, str(span))
    paragraph = sub(tc, _W_P)
    if text is None:
        return
    if right:
        sub(sub(paragraph, _W_PPR), _W_JC).set(_W_VAL, "right")
    run = sub(paragraph, _W_R)
    if text:  # text is one line (white space collapsed): one w:t, as Run.text makes it
        t = sub(run, _W_T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_XML_SPACE, "preserve")


def _header_row(tr) -> None:
    """Mark a table row as a header row (repeated on each page in Word)."""
    properties = lxml.etree.SubElement(tr, qn("w:trPr"))
    lxml.etree.SubElement(properties, qn("w:tblHeader")).set(_W_VAL, "true")


def _picture(document, image) -> None:
    match = _DATA_URI.fullmatch(image.get("src") or "")
    if match is None:  # the report embeds every figure; anything else is not fetched
        return
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        return
    shape = document.add_picture(io.BytesIO(data), width=FIGURE_WIDTH)
    alt = _clean(image.get("alt") or "")
    if alt:  # the chart's description, read aloud by screen readers
        shape._inline.docPr.set("descr", alt)
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _properties(document, config: AuditConfig, district: str) -> None:
    properties = document.core_properties
    properties.title = config.title
    properties.author = config.client or "equitykit"
    properties.subject = config.district_name(district)
    properties.comments = "Written by equitykit from the audit's HTML report."


def _page_chrome(document, config: AuditConfig, district: str) -> None:
    """Running header (client · title, district) and footer (page N of M) on every page."""
    section = document.sections[0]
    who = " · ".join(t for t in (config.client, config.title) if t)
    header = section.header.paragraphs[0]
    header.text = f"{who}\t{config.district_name(district)}"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    accent = RGBColor.from_string(config.branding.accent_color.lstrip("#").upper())
    for paragraph in (header, footer):
        for run in paragraph.runs:
            run.font.size, run.font.color.rgb = Pt(8), accent


def _field(paragraph, instruction: str) -> None:
    """A Word field (page numbers, contents) that Word fills in when it lays out the page."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _contents(document) -> None:
    """A contents list of Heading 1–3 as a Word field (Word offers to update it on opening)."""
    document.add_paragraph("Contents", style="TOC Heading")
    paragraph = document.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), r'TOC \o "1-3" \h \z \u')
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "Right-click and choose Update Field to list the sections with their pages."
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
