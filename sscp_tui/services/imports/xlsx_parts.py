"""What an .xlsx workbook shows that calamine does not give: hidden columns, each cell's solid fill
colour and named cell style ("Good", "Bad", "Neutral"), and the text of formulas saved without a
value. Read from the workbook's own XML parts; values are calamine's business (:mod:`.read`).

Rules:
- Sheet parts are found through ``xl/workbook.xml`` and its relationships, as Excel finds them.
- A fill is recorded only when it is solid and not white; a colour given by theme (with its tint),
  by the 64-colour indexed palette or as ARGB reads as "RRGGBB", upper case. A theme tint is
  applied in HLS as Excel does, to within one step of the value Excel's colour picker shows.
- A named style is recorded only when it is not Normal. The three built-in styles a RAG log may
  use are named in English ("Good", "Bad", "Neutral") whatever the language of the Excel that
  saved the workbook.
- Only a cell's own style counts: a row's or column's default style on cells that are not there,
  and conditional formatting, are not read.
- A formula is recorded only when its cell holds no value, as openpyxl writes them; a formula with
  a value saved beside it is left alone (the value is what the user saw). Nothing is evaluated.
- Speed: styles.xml is parsed whole (it is small); sheet parts are streamed a megabyte at a time
  and searched with regular expressions, never built into trees. When no cell format has a fill
  or a named style, cells are not looked at for them at all.
"""

from __future__ import annotations

import colorsys
import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree

_CHUNK = 1 << 20
_MAX_COLUMNS = 16384
# Excel's 64 indexed colours; 64 and 65 are the system's foreground and background (not read).
_PALETTE = (
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
    "800000", "008000", "000080", "808000", "800080", "008080", "C0C0C0", "808080",
    "9999FF", "993366", "FFFFCC", "CCFFFF", "660066", "FF8080", "0066CC", "CCCCFF",
    "000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000", "008080", "0000FF",
    "00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
    "3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696",
    "003366", "339966", "003300", "333300", "993300", "993366", "333399", "333333",
)  # fmt: skip
# The Office theme, for a workbook without a theme part; in theme order (lt1, dk1, lt2, dk2, …).
_OFFICE_THEME = ("FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000",
                 "5B9BD5", "70AD47", "0563C1", "954F72")  # fmt: skip
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5",
                "accent6", "hlink", "folHlink")  # fmt: skip
_BUILT_IN_STYLES = {"26": "Good", "27": "Bad", "28": "Neutral"}
_HEX6 = re.compile(r"[0-9A-Fa-f]{6}")
_ATTRIBUTE = re.compile(rb"""\s([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Z]{1,3})([0-9]+)")


@dataclass(slots=True)
class Layout:
    """One sheet's layout facts; positions are (row number, 0-based column)."""

    hidden_columns: frozenset[int] = frozenset()
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    styles: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col


Look = tuple[str | None, str | None]  # (fill colour, named style) of one cell format


class XlsxParts:
    """What an open .xlsx archive's workbook-level parts say: where each sheet is, how each cell
    format looks, and whether any cell format shows a duration (calamine reads those as timedelta)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        book = _office_document(archive)
        relations = _relations(archive, book)
        self.sheet_parts: dict[str, str] = {}
        if book.endswith(".xml") and book in archive.NameToInfo:  # not an .xlsb
            self.sheet_parts = _sheet_parts(ElementTree.fromstring(archive.read(book)), relations)
        by_type = {kind: target for kind, target in relations.values()}
        self.looks: dict[bytes, Look] = {}
        self.durations = True
        styles = by_type.get("styles")
        if styles and styles.endswith(".xml") and styles in archive.NameToInfo:
            root = ElementTree.fromstring(archive.read(styles))
            self.looks = _looks(root, _theme(archive, by_type.get("theme")))
            self.durations = _shows_durations(root)

    def layout(self, name: str) -> Layout | None:
        """The layout of sheet ``name``; None when it is not a worksheet part of this workbook."""
        part = self.sheet_parts.get(name)
        if not part or not part.endswith(".xml") or part not in self.archive.NameToInfo:
            return None
        with self.archive.open(part) as stream:
            return _scan_sheet(stream, self.looks)


# --- the workbook's parts --------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _first(element: ElementTree.Element | None, name: str) -> ElementTree.Element | None:
    found = _children(element, name) if element is not None else []
    return found[0] if found else None


def _listed(root: ElementTree.Element, folder: str, name: str) -> list[ElementTree.Element]:
    """The ``name`` elements in ``root``'s ``folder`` element (``sheets/sheet``, ``fills/fill``)."""
    holder = _first(root, folder)
    return _children(holder, name) if holder is not None else []


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, part name) for ``part``."""
    folder, name = posixpath.split(part)
    try:
        root = ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", name + ".rels")))
    except KeyError:
        return {}
    found = {}
    for relation in root:
        target, kind = relation.get("Target", ""), relation.get("Type", "").rpartition("/")[2]
        if relation.get("TargetMode") == "External" or not target:
            continue
        path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[relation.get("Id", "")] = (kind, path)
    return found


def _office_document(archive: zipfile.ZipFile) -> str:
    for kind, target in _relations(archive, "").values():
        if kind == "officeDocument":
            return target
    return "xl/workbook.xml"


def _sheet_parts(book: ElementTree.Element, relations: dict[str, tuple[str, str]]) -> dict[str, str]:
    parts = {}
    for sheet in _listed(book, "sheets", "sheet"):
        relation = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        if relation in relations:
            parts[sheet.get("name", "")] = relations[relation][1]
    return parts


def _theme(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part or not part.endswith(".xml") or part not in archive.NameToInfo:
        return list(_OFFICE_THEME)
    root = ElementTree.fromstring(archive.read(part))
    scheme = next((e for e in root.iter() if _local(e.tag) == "clrScheme"), None)
    colours = dict(zip(_THEME_ORDER, _OFFICE_THEME, strict=True))
    for slot in scheme if scheme is not None else ():
        for colour in slot:
            value = colour.get("val") if _local(colour.tag) == "srgbClr" else colour.get("lastClr")
            if value and _HEX6.fullmatch(value):
                colours[_local(slot.tag)] = value.upper()
    return [colours[name] for name in _THEME_ORDER]


# --- cell formats ----------------------------------------------------------------------------
def _shows_durations(root: ElementTree.Element) -> bool:
    """Whether a cell format is a duration: built-in 46 ("[h]:mm:ss") or a code such as "[h]:mm"."""
    codes = [f.get("formatCode", "").lower() for f in _listed(root, "numFmts", "numFmt")]
    if any(mark in code for code in codes for mark in ("[h", "[m", "[s")):
        return True
    return any(xf.get("numFmtId") == "46" for xf in _listed(root, "cellXfs", "xf"))


def _looks(root: ElementTree.Element, theme: list[str]) -> dict[bytes, Look]:
    """Cell format index (as written in ``s="…"``) -> its look, for formats with a fill or style."""
    palette = list(_PALETTE)
    custom = _first(_first(root, "colors"), "indexedColors")
    for index, colour in enumerate(custom if custom is not None else ()):
        rgb = colour.get("rgb", "")
        if index < len(palette) and _HEX6.fullmatch(rgb[-6:]):
            palette[index] = rgb[-6:].upper()
    fills = [_solid_fill(fill, theme, palette) for fill in _listed(root, "fills", "fill")]
    names: dict[str, str] = {}
    for style in _listed(root, "cellStyles", "cellStyle"):
        builtin, name = style.get("builtinId"), style.get("name", "")
        if builtin != "0" and name != "Normal" and (name or builtin in _BUILT_IN_STYLES):
            names[style.get("xfId", "0")] = _BUILT_IN_STYLES.get(builtin or "", name)
    looks = {}
    for index, xf in enumerate(_listed(root, "cellXfs", "xf")):
        fill_id = int(xf.get("fillId", "0") or 0)
        look = (fills[fill_id] if 0 <= fill_id < len(fills) else None, names.get(xf.get("xfId", "0")))
        if index and look != (None, None):
            looks[str(index).encode()] = look
    return looks


def _solid_fill(fill: ElementTree.Element, theme: list[str], palette: list[str]) -> str | None:
    pattern = _first(fill, "patternFill")
    if pattern is None or pattern.get("patternType") != "solid":
        return None
    colour = _first(pattern, "fgColor")
    found = _colour(colour, theme, palette) if colour is not None else None
    return None if found == "FFFFFF" else found


def _colour(element: ElementTree.Element, theme: list[str], palette: list[str]) -> str | None:
    rgb, number = element.get("rgb"), element.get("theme") or element.get("indexed")
    if rgb:
        base = rgb[-6:].upper() if _HEX6.fullmatch(rgb[-6:]) else None
    elif number is not None and number.isdigit():
        choices = theme if element.get("theme") is not None else palette
        base = choices[int(number)] if int(number) < len(choices) else None
    else:
        return None
    tint = float(element.get("tint", "0") or 0)
    return _tinted(base, tint) if base and tint else base


def _tinted(base: str, tint: float) -> str:
    """``base`` lightened (tint > 0) or darkened (tint < 0) in HLS, as Excel applies a tint."""
    red, green, blue = (int(base[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    lightness = lightness * (1 + tint) if tint < 0 else lightness * (1 - tint) + tint
    channels = colorsys.hls_to_rgb(hue, min(max(lightness, 0.0), 1.0), saturation)
    return "".join(f"{round(channel * 255):02X}" for channel in channels)


# --- a sheet part ----------------------------------------------------------------------------
def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def xml_attributes(text: bytes) -> dict[bytes, bytes]:
    """The attributes in a start tag's text, by local name (``table:name`` as ``name``)."""
    return {name.rpartition(b":")[2]: double or single for name, double, single in _ATTRIBUTE.findall(text)}


def _scan_sheet(stream: IO[bytes], looks: dict[bytes, Look]) -> Layout:
    first = stream.read(_CHUNK)
    found = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet\b", first)
    if not found:
        return Layout()
    scan = _SheetScan(looks, found[1] or b"")
    for number, piece in enumerate(scan.pieces(first, stream)):
        if number == 0:
            scan.columns(piece)
        if not scan.looks and not scan.has_formula(piece):
            scan.note_last_row(piece)  # nothing to record here
        elif scan.all_referenced(piece):
            scan.quick(piece)
        else:
            scan.slow(piece)
    return scan.layout


class _SheetScan:
    """One pass over a worksheet part, whole rows at a time. ``prefix`` is the part's namespace
    prefix ("x:" in some generated files, most often none)."""

    def __init__(self, looks: dict[bytes, Look], prefix: bytes) -> None:
        self.looks = looks
        self.layout = Layout()
        self.shared: dict[bytes, tuple[str, int, int]] = {}  # shared formula id -> (text, row, column)
        self.row = 0  # the last row met, for rows and cells written without their reference
        p = re.escape(prefix)
        self.row_end = b"</" + prefix + b"row>"
        self.cell_end = b"</" + prefix + b"c>"
        self.unreferenced = re.compile(b"<" + p + rb'c(?:>|\s(?!r="))')
        self.cell_with_reference = b"<" + prefix + b'c r="'
        self.styled: re.Pattern[bytes] | None = None
        if looks:
            longest_first: list[bytes] = sorted(looks, key=len, reverse=True)
            choices = b"|".join(longest_first)
            self.styled = re.compile(b' s="(' + choices + b')"')  # a literal start: the quickest search
        self.last_row = re.compile(rb'row r="([0-9]+)"')
        # A formula with no value after it before its cell ends: <f>A1*2</f><v></v></c>.
        empty_value = b"(?:<" + p + rb"v\s*/>|<" + p + b"v></" + p + b"v>)?"
        self.bare_formula = re.compile(
            b"<" + p + rb"f(\s[^>]*?)?(?:/>|>([^<]*)</" + p + b"f>)" + empty_value + b"</" + p + b"c>"
        )
        self.tag = re.compile(b"<(/?)" + p + rb"(row|c)\b([^>]*?)(/?)>")
        self.column = re.compile(b"<" + p + rb"col\b([^>]*)>")

    def all_referenced(self, piece: bytes) -> bool:
        """Whether every cell in ``piece`` starts with its reference, as Excel writes them."""
        return self.unreferenced.search(piece) is None

    def pieces(self, first: bytes, stream: IO[bytes]) -> Iterator[bytes]:
        """The part cut after a row's end, so that no cell is split between two pieces."""
        carry, chunk = b"", first
        while chunk:
            carry += chunk
            cut = carry.rfind(self.row_end)
            if cut >= 0:
                yield carry[: cut + len(self.row_end)]
                carry = carry[cut + len(self.row_end) :]
            chunk = stream.read(_CHUNK)
        if carry:
            yield carry

    def columns(self, piece: bytes) -> None:
        data = piece.find(b"sheetData")
        head = piece[:data] if data >= 0 else piece
        hidden: set[int] = set()
        for found in self.column.finditer(head):
            attributes = xml_attributes(found[1])
            if attributes.get(b"hidden") in (b"1", b"true"):
                low = int(attributes.get(b"min", b"1"))
                high = min(int(attributes.get(b"max", attributes.get(b"min", b"1"))), _MAX_COLUMNS)
                hidden.update(range(low - 1, high))
        self.layout.hidden_columns = frozenset(hidden)

    def quick(self, piece: bytes) -> None:
        """Every cell in ``piece`` starts with its reference: look only at the cells that matter."""
        for found in self.styled.finditer(piece) if self.styled is not None else ():
            start = piece.rfind(b"<", 0, found.start())  # the start of the tag (a cell's or a row's)
            if piece.startswith(self.cell_with_reference, start):
                reference = _REFERENCE.match(piece, start + len(self.cell_with_reference))
                if reference:
                    self._record_look((int(reference[2]), _column_index(reference[1])), found[1])
        for found in self.bare_formula.finditer(piece):
            start = piece.rfind(self.cell_with_reference, 0, found.start())
            reference = _REFERENCE.match(piece, start + len(self.cell_with_reference)) if start >= 0 else None
            if reference:
                self._record_formula((int(reference[2]), _column_index(reference[1])), found)
        self.note_last_row(piece)

    def has_formula(self, piece: bytes) -> bool:
        return self.bare_formula.search(piece) is not None

    def note_last_row(self, piece: bytes) -> None:
        found = self.last_row.match(piece, max(piece.rfind(b'row r="'), 0))
        self.row = int(found[1]) if found else self.row

    def slow(self, piece: bytes) -> None:
        """Cells (or rows) written without their reference: count them as Excel does."""
        column = -1
        for found in self.tag.finditer(piece):
            closing, name, attributes = found[1], found[2], xml_attributes(found[3])
            if closing:
                continue
            if name == b"row":
                self.row = int(attributes[b"r"]) if attributes.get(b"r", b"").isdigit() else self.row + 1
                column = -1
                continue
            reference = _REFERENCE.fullmatch(attributes.get(b"r", b""))
            if reference:
                self.row, column = int(reference[2]), _column_index(reference[1])
            else:
                column += 1
            style = attributes.get(b"s")
            if style in self.looks:
                self._record_look((self.row, column), style)
            if not found[4]:
                end = piece.find(self.cell_end, found.end())
                formula = self.bare_formula.search(piece, found.end(), end + len(self.cell_end))
                if end >= 0 and formula:
                    self._record_formula((self.row, column), formula)

    def _record_look(self, where: tuple[int, int], style: bytes | None) -> None:
        fill, name = self.looks[style or b"0"]
        if fill:
            self.layout.fills[where] = fill
        if name:
            self.layout.styles[where] = name

    def _record_formula(self, where: tuple[int, int], found: re.Match[bytes]) -> None:
        """A formula saved without a value (one saved with its value reads as the value)."""
        attributes = xml_attributes(found[1]) if found[1] else {}
        text = found[2].decode("utf-8", "replace") if found[2] else ""
        text = html.unescape(text) if "&" in text else text
        shared = attributes.get(b"si") if attributes.get(b"t") == b"shared" else None
        if shared is not None and text:
            self.shared[shared] = (text, *where)
        elif shared in self.shared:
            text = _translate(*self.shared[shared], where)
        if text:
            self.layout.formulas[where] = "=" + text


def _translate(text: str, row: int, column: int, where: tuple[int, int]) -> str:
    """A shared formula as it reads in another cell of its range ("A2*2" from B2 is "A3*2" in B3)."""
    from openpyxl.formula.translate import Translator, TranslatorError
    from openpyxl.utils import get_column_letter

    try:
        moved = Translator("=" + text, f"{get_column_letter(column + 1)}{row}").translate_formula(
            f"{get_column_letter(where[1] + 1)}{where[0]}"
        )
    except (TranslatorError, ValueError):
        return ""
    return str(moved)[1:]
