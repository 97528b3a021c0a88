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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree

_CHUNK = 1 << 20
_MAX_COLUMNS = 16384
# Excel's 64 indexed colours; 64 and 65 are the system's foreground and background (not read).
_PALETTE = (
    "000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00 "
    "FF00FF 00FFFF 800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF "
    "660066 FF8080 0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF "
    "CCFFCC FFFF99 99CCFF FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696 "
    "003366 339966 003300 333300 993300 993366 333399 333333"
).split()
# The Office theme, for a workbook without a theme part; in theme order (lt1, dk1, lt2, dk2, …).
_OFFICE_THEME = ("FFFFFF 000000 E7E6E6 44546A 4472C4 ED7D31 A5A5A5 FFC000 5B9BD5 70AD47 0563C1 954F72").split()
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5",
                "accent6", "hlink", "folHlink")  # fmt: skip
_BUILT_IN_STYLES = {"26": "Good", "27": "Bad", "28": "Neutral"}
_HEX6 = re.compile(r"[0-9A-Fa-f]{6}")
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Z]{1,3})([0-9]+)")


@dataclass(slots=True)
class Layout:
    """One sheet's layout facts; positions are (row number, 0-based column)."""

    hidden_columns: frozenset[int] = frozenset()
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    styles: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


Look = tuple[str | None, str | None]  # (fill colour, named style) of one cell format


def read_layouts(archive: zipfile.ZipFile, names: Sequence[str]) -> dict[str, Layout]:
    """The layout of each named sheet that the workbook has as a worksheet part."""
    book = _office_document(archive)
    relations = _relations(archive, book)
    parts = _sheet_parts(ElementTree.fromstring(archive.read(book)), relations)
    by_type = {kind: target for kind, target in relations.values()}
    theme = _theme(archive, by_type.get("theme"))
    looks = _looks(archive, by_type.get("styles"), theme)
    layouts = {}
    for name in names:
        part = parts.get(name)
        if part and part.endswith(".xml") and part in archive.NameToInfo:
            with archive.open(part) as stream:
                layouts[name] = _SheetScan(looks).scan(stream)
    return layouts


# --- the workbook's parts --------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _first(element: ElementTree.Element | None, name: str) -> ElementTree.Element | None:
    found = _children(element, name) if element is not None else []
    return found[0] if found else None


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
    for sheet in _children(_first(book, "sheets") or book, "sheet"):
        relation = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        if relation in relations:
            parts[sheet.get("name", "")] = relations[relation][1]
    return parts


def _theme(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part or not part.endswith(".xml") or part not in archive.NameToInfo:
        return list(_OFFICE_THEME)
    scheme = next((e for e in ElementTree.fromstring(archive.read(part)).iter() if _local(e.tag) == "clrScheme"),
                  None)  # fmt: skip
    colours = dict(_OFFICE_THEME_BY_NAME)
    for slot in scheme if scheme is not None else ():
        for colour in slot:
            value = colour.get("val") if _local(colour.tag) == "srgbClr" else colour.get("lastClr")
            if value and _HEX6.fullmatch(value):
                colours[_local(slot.tag)] = value.upper()
    return [colours[name] for name in _THEME_ORDER]


_OFFICE_THEME_BY_NAME = dict(zip(_THEME_ORDER, _OFFICE_THEME, strict=True))


# --- cell formats ----------------------------------------------------------------------------
def _looks(archive: zipfile.ZipFile, part: str | None, theme: list[str]) -> dict[bytes, Look]:
    """Cell format index (as written in ``s="…"``) -> its look, for formats with a fill or style."""
    if not part or not part.endswith(".xml") or part not in archive.NameToInfo:
        return {}
    root = ElementTree.fromstring(archive.read(part))
    palette = list(_PALETTE)
    custom = _first(_first(root, "colors"), "indexedColors")
    for index, colour in enumerate(custom if custom is not None else ()):
        rgb = colour.get("rgb", "")
        if index < len(palette) and _HEX6.fullmatch(rgb[-6:]):
            palette[index] = rgb[-6:].upper()
    fills = [_solid_fill(fill, theme, palette) for fill in _children(_first(root, "fills") or root, "fill")]
    names: dict[str, str] = {}
    for style in _children(_first(root, "cellStyles") or root, "cellStyle"):
        builtin, name = style.get("builtinId"), style.get("name", "")
        if builtin != "0" and name != "Normal" and (name or builtin in _BUILT_IN_STYLES):
            names[style.get("xfId", "0")] = _BUILT_IN_STYLES.get(builtin or "", name)
    looks = {}
    for index, xf in enumerate(_children(_first(root, "cellXfs") or root, "xf")):
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


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {m[1].rpartition(b":")[2]: m[2] if m[3] is None else m[3] for m in _ATTRIBUTE.finditer(text)}


class _SheetScan:
    """One pass over a worksheet part, whole rows at a time."""

    def __init__(self, looks: dict[bytes, Look]) -> None:
        self.looks = looks
        self.layout = Layout()
        self.shared: dict[bytes, tuple[str, int, int]] = {}  # shared formula id -> (text, row, column)
        self.row = 0  # the last row met, for rows and cells written without their reference

    def scan(self, stream: IO[bytes]) -> Layout:
        first = stream.read(_CHUNK)
        found = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet\b", first)
        if not found:
            return self.layout
        self._patterns(found[1] or b"")
        for number, piece in enumerate(self._pieces(first, stream)):
            if number == 0:
                self._columns(piece)
            if self.cell_count(piece) == piece.count(self.cell_with_reference):
                self._quick(piece)
            else:
                self._slow(piece)
        return self.layout

    def _patterns(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        self.row_end = b"</" + prefix + b"row>"
        self.cell_end = b"</" + prefix + b"c>"
        self.cell_with_reference = b"<" + prefix + b'c r="'
        self.cell_count = lambda piece: piece.count(b"<" + prefix + b"c ") + piece.count(b"<" + prefix + b"c>")
        self.styled = None
        if self.looks:
            choices = b"|".join(sorted(self.looks, key=len, reverse=True))
            self.styled = re.compile(b"<" + p + rb'c r="([A-Z]{1,3})([0-9]+)"[^>]*? s="(' + choices + b')"')
        self.formula_start = re.compile(b"<" + p + rb"f[\s>/]")
        self.formula = re.compile(b"<" + p + rb"f\b([^>]*?)(?:/>|>([^<]*)</" + p + b"f>)")
        self.value = re.compile(b"<" + p + rb"v>([^<]+)</" + p + b"v>")
        self.tag = re.compile(b"<(/?)" + p + rb"(row|c)\b([^>]*?)(/?)>")
        self.column = re.compile(b"<" + p + rb"col\b([^>]*)>")

    def _pieces(self, first: bytes, stream: IO[bytes]) -> Iterator[bytes]:
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

    def _columns(self, piece: bytes) -> None:
        head = piece[: piece.find(b"sheetData")]
        hidden: set[int] = set()
        for found in self.column.finditer(head):
            attributes = _attributes(found[1])
            if attributes.get(b"hidden") in (b"1", b"true"):
                low = int(attributes.get(b"min", b"1"))
                high = min(int(attributes.get(b"max", attributes.get(b"min", b"1"))), _MAX_COLUMNS)
                hidden.update(range(low - 1, high))
        self.layout.hidden_columns = frozenset(hidden)

    def _quick(self, piece: bytes) -> None:
        """Every cell in ``piece`` starts with its reference: look only at the cells that matter."""
        if self.styled is not None:
            for found in self.styled.finditer(piece):
                self._record_look((int(found[2]), _column_index(found[1])), found[3])
        for found in self.formula_start.finditer(piece):
            start = piece.rfind(self.cell_with_reference, 0, found.start())
            end = piece.find(self.cell_end, found.start())
            if start >= 0 and end >= 0 and piece.find(self.cell_end, start, found.start()) < 0:
                reference = _REFERENCE.match(piece, start + len(self.cell_with_reference))
                if reference:
                    where = (int(reference[2]), _column_index(reference[1]))
                    self._record_formula(where, piece[start:end])
        last_row = piece.rfind(b'row r="')
        if last_row >= 0:
            number = re.match(rb'row r="([0-9]+)"', piece[last_row:])
            self.row = int(number[1]) if number else self.row

    def _slow(self, piece: bytes) -> None:
        """Cells (or rows) written without their reference: count them as Excel does."""
        column = -1
        for found in self.tag.finditer(piece):
            closing, name, attributes = found[1], found[2], _attributes(found[3])
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
                content = piece[found.end() : end if end >= 0 else len(piece)]
                if self.formula_start.search(content):
                    self._record_formula((self.row, column), content)

    def _record_look(self, where: tuple[int, int], style: bytes | None) -> None:
        fill, name = self.looks[style or b"0"]
        if fill:
            self.layout.fills[where] = fill
        if name:
            self.layout.styles[where] = name

    def _record_formula(self, where: tuple[int, int], cell: bytes) -> None:
        found = self.formula.search(cell)
        if not found:
            return
        attributes = _attributes(found[1])
        text = html.unescape(found[2].decode("utf-8", "replace")) if found[2] else ""
        shared = attributes.get(b"t") == b"shared" and b"si" in attributes
        if shared and text:
            self.shared[attributes[b"si"]] = (text, *where)
        if self.value.search(cell):
            return  # saved with its value: the value is what the user saw
        if not text and shared and attributes[b"si"] in self.shared:
            text = _translate(*self.shared[attributes[b"si"]], where)
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
