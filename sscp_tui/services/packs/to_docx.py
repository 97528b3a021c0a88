"""The pack as a Word document that boards can read, navigate and print.

Real heading styles (so Word's navigation pane lists every part and review), A4 pages, the
protective marking in every page header, "Page n of m" fields in the footer, and the log in
its own landscape section. Tables carry rating cells shaded in the rating's colour and
labelled with its name, and header rows that repeat on each page.

python-docx builds a document one element at a time, which takes minutes for a log of
thousands of items. So python-docx makes the frame — styles, sections, header and footer —
with one placeholder paragraph per part, and each part's headings, paragraphs and tables are
written directly as WordprocessingML and put in the placeholder's place when the file is
saved.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.section import Section
from docx.shared import Mm, Pt

from sscp_tui.services.packs.layout import Block, Cell, Facts, Heading, Para, Part, RatingCell, Table, outline
from sscp_tui.services.packs.model import RATING_COLOURS, Pack, Progress, long_date
from sscp_tui.services.packs.output import clean, write_bytes
from sscp_tui.services.packs.text_widths import fit_columns, widest_word
from sscp_tui.services.records import rating_label

TWIPS_PER_MM = 1440 / 25.4
MARGIN_MM = 18
A4 = (210, 297)
TABLE_TEXT_STYLE = "Pack Table Text"
TABLE_TEXT_PT = 8.5
TWIPS_PER_PT = 20
# A cell's text sits inside its left and right margins (0.19 cm each in Word's table grid).
CELL_MARGINS_TWIPS = 2 * 108 + 30
MOST_OF_THE_WIDTH = 0.4  # a column is never held wider than this for one long word (a web address)
HEADER_FILL = "E8E8E8"
DOCUMENT_PART = "word/document.xml"
_XML_SPECIAL = re.compile("[&<>]")


def _run(text: str, props: str = "") -> str:
    """One run holding ``text``; line breaks become <w:br/>."""
    body = clean(text)
    if _XML_SPECIAL.search(body):
        body = escape(body)
    if "\n" in body:
        body = body.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>'


class _Body:
    """The body XML of each part, by placeholder, and the markup shared by every table."""

    def __init__(self, table_style: str, headings: dict[int, str]) -> None:
        self.token = uuid.uuid4().hex
        self.parts: dict[str, str] = {}
        self.current: list[str] = []
        self.headings = headings
        self.table_style = table_style
        self.cell_open = f'<w:tc><w:p><w:pPr><w:pStyle w:val="{table_style}"/></w:pPr>'
        self.rating_cells = {
            rating: (
                f'<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{table_style}"/></w:pPr>'
                + _run(rating_label(rating), f'<w:b/><w:color w:val="{ink}"/>')
                + "</w:p></w:tc>"
            )
            for rating, (fill, ink) in RATING_COLOURS.items()
        }
        self.header_open = (
            f'<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{table_style}"/></w:pPr>'
        )

    def heading(self, level: int, text: str, new_page: bool = False) -> None:
        before = "<w:pageBreakBefore/>" if new_page else ""
        self.current.append(
            f'<w:p><w:pPr><w:pStyle w:val="{self.headings[level]}"/><w:keepNext/>{before}</w:pPr>'
            f"{_run(text)}</w:p>"
        )

    def paragraph(self, text: str, strong: bool = False) -> None:
        self.current.append(f"<w:p>{_run(text, '<w:b/>' if strong else '')}</w:p>")

    def table(
        self,
        widths: list[int],
        headers: tuple[str, ...] | None,
        rows: list[tuple[Cell, ...]],
        caption: str = "",
    ) -> None:
        parts = self.current
        parts += [
            "<w:tbl><w:tblPr>",
            '<w:tblStyle w:val="TableGrid"/>',
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>',
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
            *(f'<w:gridCol w:w="{w}"/>' for w in widths),
            "</w:tblGrid>",
        ]
        if caption:  # repeated with the headings at the top of every page the table runs to
            parts.append(
                "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
                f'<w:tc><w:tcPr><w:gridSpan w:val="{len(widths)}"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{self.table_style}"/><w:keepNext/></w:pPr>'
                f"{_run(caption, '<w:b/>')}</w:p></w:tc></w:tr>"
            )
        if headers:
            parts.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
            parts.extend(f"{self.header_open}{_run(h, '<w:b/>')}</w:p></w:tc>" for h in headers)
            parts.append("</w:tr>")
        cell_open, ratings = self.cell_open, self.rating_cells
        for row in rows:
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            for cell in row:
                if isinstance(cell, RatingCell):
                    parts.append(ratings[cell.rating])
                else:
                    parts.append(f"{cell_open}{_run(cell)}</w:p></w:tc>")
            parts.append("</w:tr>")
        parts.append("</w:tbl><w:p/>")  # an empty paragraph keeps consecutive tables apart

    def close_part(self) -> str | None:
        """The placeholder text for the part written since the last call, if any."""
        if not self.current:
            return None
        marker = f"sscp-part-{self.token}-{len(self.parts)}"
        self.parts[marker] = "".join(self.current)
        self.current = []
        return marker

    def splice(self, document_xml: str) -> str:
        """Each placeholder paragraph replaced by its part's XML."""
        pattern = re.compile(
            rf"<w:p\b[^>]*>(?:(?!</w:p>).)*?(sscp-part-{self.token}-\d+)(?:(?!</w:p>).)*?</w:p>"
        )
        return pattern.sub(lambda m: self.parts[m.group(1)], document_xml)


class _Writer:
    def __init__(self, pack: Pack, progress: Progress | None) -> None:
        self.pack = pack
        self.progress = progress
        self.doc: DocumentObject = Document()
        styles = self.doc.styles
        styles["Normal"].font.name = "Arial"
        styles["Normal"].font.size = Pt(10)
        style = styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(TABLE_TEXT_PT)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.space_before = Pt(0)
        headings = {0: "Title", 1: "Heading 1", 2: "Heading 2"}
        self.body = _Body(style.style_id, {level: styles[name].style_id for level, name in headings.items()})
        self.started = False
        self.landscape = False

    # --- pages ---------------------------------------------------------------------------
    def _layout(self, section: Section, landscape: bool) -> None:
        short, long = Mm(A4[0]), Mm(A4[1])
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(MARGIN_MM))
        self.landscape = landscape

    def _header_footer(self, section: Section) -> None:
        cover = self.pack.cover
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        header.add_run(clean(cover.protective_marking)).bold = True
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(clean(f"{cover.group}, {long_date(cover.meeting_on)} · {cover.protective_marking} · "))
        for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
            if piece.isupper():  # a field Word fills in: the page number, the number of pages
                field = (
                    f'<w:fldSimple {nsdecls("w")} w:instr=" {piece} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
                )
                footer._p.append(parse_xml(field))
            else:
                footer.add_run(piece)

    def part(self, block: Part) -> None:
        marker = self.body.close_part()
        if marker:
            self.doc.add_paragraph(marker)
        if not self.started:  # the first part uses the document's first section
            section = self.doc.sections[0]
            self._layout(section, block.landscape)
            self._header_footer(section)
            self.started = True
            return
        if self.progress:
            self.progress(f"Writing the {block.name} into the Word document", 0.7)
        # A new section inherits the header and footer of the one before it.
        self._layout(self.doc.add_section(WD_SECTION.NEW_PAGE), block.landscape)

    # --- content -------------------------------------------------------------------------
    def table(
        self,
        headers: tuple[str, ...] | None,
        rows: list[tuple[Cell, ...]],
        weights: tuple[int, ...],
        caption: str = "",
    ) -> None:
        """Columns share the page by ``weights``, none narrower than its widest word (its
        heading's, in bold, included), so no word or date is broken across lines."""
        page = A4[1] if self.landscape else A4[0]
        total = int((page - 2 * MARGIN_MM) * TWIPS_PER_MM)
        least = []
        for column in range(len(weights)):
            cells = [row[column] for row in rows if column < len(row)]
            plain = widest_word((c for c in cells if isinstance(c, str)), TABLE_TEXT_PT)
            bold = widest_word(
                [
                    *(c.text for c in cells if isinstance(c, RatingCell)),
                    *(headers[column : column + 1] if headers else ()),
                ],
                TABLE_TEXT_PT,
                bold=True,
            )
            need = int(max(plain, bold) * TWIPS_PER_PT) + CELL_MARGINS_TWIPS
            least.append(min(need, int(total * MOST_OF_THE_WIDTH)))
        self.body.table(fit_columns(total, weights, least), headers, rows, caption)

    def block(self, block: Block) -> None:
        if isinstance(block, Part):
            self.part(block)
        elif isinstance(block, Heading):
            self.body.heading(block.level, block.text, block.new_page)
        elif isinstance(block, Para):
            self.body.paragraph(block.text, block.strong)
        elif isinstance(block, Facts):
            self.table(None, [(label, value) for label, value in block.rows], (1, 3))
        elif isinstance(block, Table):
            self.table(block.headers, list(block.rows), block.widths, block.caption)


def _save(writer: _Writer, handle: BinaryIO) -> None:
    """Save python-docx's frame, then copy it to ``handle`` with each part's body spliced in."""
    skeleton = io.BytesIO()
    writer.doc.save(skeleton)
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == DOCUMENT_PART:
                data = writer.body.splice(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def render(pack: Pack, path: Path, progress: Progress | None = None) -> None:
    """Write the pack to ``path`` as a Word document, atomically, readable only by you."""
    writer = _Writer(pack, progress)
    for block in outline(pack):
        writer.block(block)
    marker = writer.body.close_part()
    if marker:
        writer.doc.add_paragraph(marker)
    core = writer.doc.core_properties
    core.title = clean(pack.cover.title)
    core.subject = clean(f"{pack.cover.group}, {long_date(pack.cover.meeting_on)}")
    core.author = "sscp-tui"
    core.comments = clean(pack.cover.protective_marking)
    if progress:
        progress("Saving the Word document", 0.95)
    write_bytes(path, lambda handle: _save(writer, handle))
    if progress:
        progress("Word document written", 1.0)
