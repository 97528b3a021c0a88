"""The pack as a Word document that boards can read, navigate and print.

Real heading styles (so Word's navigation pane lists every part and review), A4 pages, the
protective marking in every page header, "Page n of m" fields in the footer, and the log in
its own landscape section. Tables carry rating cells shaded in the rating's colour and
labelled with its name.

python-docx builds tables one cell at a time, which is slow for a log of thousands of items,
so each table's rows are written as WordprocessingML text and parsed in one go.
"""

from __future__ import annotations

from pathlib import Path
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

from sscp_tui.services.packs.layout import (
    Block,
    Cell,
    Facts,
    Heading,
    Para,
    Part,
    RatingCell,
    Table,
    outline,
)
from sscp_tui.services.packs.model import RATING_COLOURS, Pack, Progress, long_date
from sscp_tui.services.packs.output import clean, write_bytes

TWIPS_PER_MM = 1440 / 25.4
MARGIN_MM = 18
A4 = (210, 297)
TABLE_STYLE = "Pack Table Text"
HEADER_FILL = "E8E8E8"
PART_LABELS = {"summary": "summary and exceptions", "log": "the log", "appendix": "appendix"}


def _text_runs(text: str, bold: bool = False, colour: str | None = None) -> str:
    """One run holding ``text``, line breaks as <w:br/>."""
    props = ("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
    lines = clean(text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def _cell(style: str, width: int, body: str, fill: str | None = None) -> str:
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{body}</w:p></w:tc>'
    )


class _Writer:
    def __init__(self, pack: Pack, progress: Progress | None) -> None:
        self.pack = pack
        self.progress = progress
        self.doc: DocumentObject = Document()
        style = self.doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.doc.styles["Normal"]
        style.font.size = Pt(8.5)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.space_before = Pt(0)
        self.style_id = style.style_id
        self.doc.styles["Normal"].font.name = "Arial"
        self.doc.styles["Normal"].font.size = Pt(10)
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
        label = f"{cover.group}, {long_date(cover.meeting_on)} · {cover.protective_marking} · "
        footer.add_run(clean(label))
        for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
            if piece.isupper():  # a field Word fills in: the page number, the page count
                field = (
                    f'<w:fldSimple {nsdecls("w")} w:instr=" {piece} ">'
                    "<w:r><w:t>1</w:t></w:r></w:fldSimple>"
                )
                footer._p.append(parse_xml(field))
            else:
                footer.add_run(piece)

    def part(self, block: Part) -> None:
        if not self.started:
            section = self.doc.sections[0]
            self._layout(section, block.landscape)
            self._header_footer(section)
            self.started = True
            return
        if self.progress:
            label = PART_LABELS.get(block.name, block.name)
            self.progress(f"Writing {label} into the Word document", 0.7)
        self._layout(self.doc.add_section(WD_SECTION.NEW_PAGE), block.landscape)

    # --- content -------------------------------------------------------------------------
    def _width(self) -> int:
        page = A4[1] if self.landscape else A4[0]
        return int((page - 2 * MARGIN_MM) * TWIPS_PER_MM)

    def table(self, headers: tuple[str, ...] | None, rows: list[tuple[Cell, ...]],
              weights: tuple[int, ...]) -> None:  # fmt: skip
        total = self._width()
        widths = [total * w // sum(weights) for w in weights]
        parts = []
        if headers:
            cells = "".join(
                _cell(self.style_id, w, _text_runs(h, bold=True), HEADER_FILL)
                for w, h in zip(widths, headers, strict=True)
            )
            parts.append(f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{cells}</w:tr>")
        for row in rows:
            cells = "".join(self._body_cell(w, c) for w, c in zip(widths, row, strict=True))
            parts.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        xml = (
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            '<w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(parts)}</w:tbl>"
        )
        body = self.doc.element.body
        body.sectPr.addprevious(parse_xml(xml))
        # A paragraph after each table keeps consecutive tables apart.
        self.doc.add_paragraph()

    def _body_cell(self, width: int, value: Cell) -> str:
        if isinstance(value, RatingCell):
            fill, ink = RATING_COLOURS[value.rating]
            return _cell(self.style_id, width, _text_runs(value.text, bold=True, colour=ink), fill)
        return _cell(self.style_id, width, _text_runs(value))

    def block(self, block: Block) -> None:
        if isinstance(block, Part):
            self.part(block)
        elif isinstance(block, Heading):
            self.doc.add_heading(clean(block.text), block.level)
        elif isinstance(block, Para):
            self.doc.add_paragraph().add_run(clean(block.text)).bold = block.strong
        elif isinstance(block, Facts):
            rows: list[tuple[Cell, ...]] = [(k, v) for k, v in block.rows]
            self.table(None, rows, (1, 3))
        elif isinstance(block, Table):
            self.table(block.headers, list(block.rows), block.widths)


def document(pack: Pack, progress: Progress | None = None) -> DocumentObject:
    writer = _Writer(pack, progress)
    for block in outline(pack):
        writer.block(block)
    core = writer.doc.core_properties
    core.title = clean(pack.cover.title)
    core.subject = clean(f"{pack.cover.group}, {long_date(pack.cover.meeting_on)}")
    core.author = "sscp-tui"
    core.comments = clean(pack.cover.protective_marking)
    return writer.doc


def render(pack: Pack, path: Path, progress: Progress | None = None) -> None:
    """Write the pack to ``path`` as a Word document, atomically, readable only by you."""
    doc = document(pack, progress)
    if progress:
        progress("Saving the Word document", 0.95)
    write_bytes(path, doc.save)
    if progress:
        progress("Word document written", 1.0)
