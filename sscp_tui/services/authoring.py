"""Adding a new review's recommendations and actions, and a plan's priorities, in the app.

Two pieces of reading that the forms lean on: the reference that comes after the last one
(1 → 2, 1.1 → 1.2, R3 → R4, 4a → 4b), and recommendations pasted from a published report,
one per line with a leading "1." or "1.1" read as the reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_LAST_NUMBER = re.compile(r"^(?P<head>.*?)(?P<number>\d+)(?P<tail>[.)]?)$")
_LAST_LETTER = re.compile(r"^(?P<head>.*\d)(?P<letter>[a-y])$", re.IGNORECASE)


def next_reference(last: str) -> str:
    """The reference after ``last``: its last number counted on, or its last letter ("" when
    neither can be read; the user types one)."""
    last = last.strip()
    if not last:
        return "1"
    found = _LAST_NUMBER.match(last)
    if found:
        number = found["number"]
        following = str(int(number) + 1).zfill(len(number))
        return f"{found['head']}{following}{found['tail']}"
    found = _LAST_LETTER.match(last)
    if found:
        return f"{found['head']}{chr(ord(found['letter']) + 1)}"
    return ""


def first_under(parent: str) -> str:
    """An action's reference when its recommendation has none yet: 3 → 3.1."""
    return f"{parent.strip().rstrip('.')}.1" if parent.strip() else "1"


def suggest(references: Iterable[str], parent: str = "") -> str:
    """The reference to offer next: after the last one given (under ``parent`` where one is
    given: its actions'), else the first."""
    taken = [r for r in references if r.strip()]
    if parent:
        prefix = parent.strip().rstrip(".") + "."
        under = [r for r in taken if r.startswith(prefix)]
        return next_reference(under[-1]) if under else first_under(parent)
    return next_reference(taken[-1]) if taken else "1"


@dataclass(frozen=True)
class Pasted:
    reference: str  # "" where the line gave none: the form numbers it
    text: str


# A reference that leads a line: "1.", "1.1", "2)", "3:", "R4", "Recommendation 5 -", "6a."
# It must be followed by a space, and by the recommendation's text.
_LEADING = re.compile(
    r"^(?:(?:recommendation|rec\.?|action)\s+)?"
    r"(?P<ref>[A-Z]?\d{1,3}(?:\.\d{1,3})*[a-z]?)"
    r"(?:[.):]|\s+[-–—])?\s+(?P<text>\S.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[•\-*–—·▪]\s*(?P<text>\S.*)$")


def read_pasted(pasted: str) -> list[Pasted]:
    """Recommendations as they arrive from a report: one per line, each with its reference
    where the line leads with one. Where some lines lead with a reference (or a bullet), a
    line without is the one before it carried on (a report's text wraps); where none do,
    each line is one recommendation. Blank lines only separate."""
    lines = [" ".join(line.split()) for line in pasted.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    marked = [_LEADING.match(line) or _BULLET.match(line) for line in lines]
    any_marked = any(marked)
    found: list[Pasted] = []
    for line, mark in zip(lines, marked, strict=True):
        if mark is not None:
            reference = mark.groupdict().get("ref") or ""
            found.append(Pasted(reference, mark["text"]))
        elif any_marked and found:
            found[-1] = Pasted(found[-1].reference, f"{found[-1].text} {line}")
        else:
            found.append(Pasted("", line))
    return found


def numbered(pasted: list[Pasted], references: Iterable[str], parent: str = "") -> list[Pasted]:
    """``pasted`` with a reference for each that has none, counted on from the last one
    before it (or from those already in the tracker)."""
    taken = list(references)
    result = []
    for entry in pasted:
        reference = entry.reference or suggest(taken, parent)
        taken.append(reference)
        result.append(Pasted(reference, entry.text))
    return result


def describe(pasted: list[Pasted], noun: str = "recommendation") -> str:
    """What a paste reads as, for the form's live line under the box."""
    if not pasted:
        return "Nothing to add yet: paste or type one per line."
    plural = noun if len(pasted) == 1 else f"{noun}s"
    shown = "; ".join(f"{p.reference or '?'} “{_clip(p.text)}”" for p in pasted[:3])
    more = f"; and {len(pasted) - 3} more" if len(pasted) > 3 else ""
    return f"→ {len(pasted)} {plural}: {shown}{more}"


def _clip(text: str, width: int = 36) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
