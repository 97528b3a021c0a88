"""Control characters never reach a terminal.

Text comes in from spreadsheets, forms and the command line; a stored text holding ESC, BEL
or the like would be written to the terminal by every screen that shows it (ESC[2J blanks the
screen on each repaint, ESC]0;…BEL retitles the window, ESC]52 writes the clipboard). So:

- :func:`clean` takes them out at every way in (imports, forms, the command line): C0
  controls other than tab and newline, DEL and the C1 controls; a carriage return before a
  newline goes, and one on its own becomes a newline.
- :func:`shown` is how stored text is shown (every record the screens are drawn from): any
  that survive in an older database appear as visible symbols (␛, ␇, ␡, �), never as bytes.

Plain Python, no imports beyond the standard library: the first screen uses it too.
"""

from __future__ import annotations

import re

_C0 = [code for code in range(0x20) if code not in (0x09, 0x0A)]
_C1 = list(range(0x80, 0xA0))
_REMOVE = {code: None for code in (*_C0, 0x7F, *_C1)}
# Control pictures for C0 (U+2400 + code), ␡ for DEL, the replacement character for C1.
_SHOW = {code: chr(0x2400 + code) for code in _C0} | {0x7F: "\u2421"} | dict.fromkeys(_C1, "\ufffd")


# The same characters as a pattern: one search in C finds whether any is there.
_ANY = re.compile("[" + "".join(re.escape(chr(code)) for code in _REMOVE) + "]")


def has_controls(text: str) -> bool:
    return _ANY.search(text) is not None


def clean(text: str) -> str:
    """``text`` with its control characters taken out (tab and newline kept)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_REMOVE)


def shown(text: str) -> str:
    """``text`` as it may be shown on a terminal: any control character as a visible symbol.
    Looked for first, in C: translating maps each character through a dict, and almost no text
    holds one (a log's rows are made from hundreds of thousands of texts)."""
    return text.translate(_SHOW) if _ANY.search(text) else text


def shown_or_none(text: str | None) -> str | None:
    return None if text is None else shown(text)
