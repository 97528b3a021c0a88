"""The pseudonym guard: words that must never appear in a pack, found before it is written.

Reviews name children by pseudonyms ("Child A", "Baby KK"). A partnership keeps a list of
words that must not reach a paper — a real surname, a school, a street — in its settings
(``[packs] forbidden_words``). Matching is whole-word and ignores case; a phrase matches as a
whole. Every piece of text the pack will print is checked, and each occurrence is reported
with where it is, so the business team can correct the record before the papers go out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate

from sscp_tui.services.packs.model import Finding, Pack, PackItem


def word_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for every listed word, longest first so phrases win over their parts."""
    cleaned = sorted({w.strip() for w in words if w.strip()}, key=lambda w: (-len(w), w))
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(w) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# Where a text is: a finished phrase, or (item, what) to be phrased only if a word is found.
_Where = str | tuple[PackItem, str]


def _texts(pack: Pack) -> Iterator[tuple[_Where, str]]:
    """(where, text) for every piece of free text the pack prints."""
    cover = pack.cover
    yield "the cover (meeting group)", cover.group
    yield "the cover (scope)", cover.scope
    for note in cover.notes:
        yield "the cover (notes)", note
    seen: set[str] = set()
    for section in pack.sections:
        yield f"the heading of log section '{section.title}'", section.title
        for item in section.items:
            yield from _names(item, seen)
            yield (item, "its reference"), item.reference
            yield (item, "its text"), item.text
            yield (item, "its timescale"), item.timescale
            update = item.latest_update
            if update is not None:
                yield (item, "its latest progress update"), update.text
                yield (item, "the author of its latest progress update"), update.author
    for exceptions in pack.exceptions:
        for entry in exceptions.entries:
            yield from _names(entry.item, seen)
            yield (entry.item, "its reference"), entry.item.reference
            yield (entry.item, f"the '{exceptions.title}' exception"), entry.detail


def _names(item: PackItem, seen: set[str]) -> Iterator[tuple[_Where, str]]:
    """The review (or plan) and the lead agency an item names, each checked once."""
    if item.source not in seen:
        seen.add(item.source)
        yield f"the name of '{item.source}'", item.source
    if item.lead_agency and item.lead_agency not in seen:
        seen.add(item.lead_agency)
        yield f"the name of lead agency {item.lead_agency}", item.lead_agency
        yield f"the name of lead agency {item.lead_agency}", item.lead_agency_name or ""


def _phrase(where: _Where) -> str:
    if isinstance(where, str):
        return where
    item, what = where
    return f"{item.label}: {what}"


def find_words(pack: Pack, words: Sequence[str]) -> tuple[Finding, ...]:
    """Each listed word found, with where; the same word in the same place is reported once.

    A quick search of all the text, lower-cased, finds the few pieces that might hold a
    listed word; only those are matched properly (whole words, ignoring case).
    """
    pattern = word_pattern(words)
    if pattern is None:
        return ()
    pieces = [(where, text) for where, text in _texts(pack) if text]
    lowered = [text.lower() for _where, text in pieces]  # piece by piece: most are plain ASCII, quick
    joined = "\x00".join(lowered)
    starts = list(accumulate((len(t) + 1 for t in lowered), initial=0))
    candidates: set[int] = set()
    for word in {w.strip().lower() for w in words if w.strip()}:
        at = joined.find(word)
        while at != -1:
            candidates.add(bisect_right(starts, at) - 1)
            at = joined.find(word, at + 1)
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for index in sorted(candidates):
        where, text = pieces[index]
        for match in pattern.finditer(text):
            phrase = _phrase(where)
            key = (match.group(0).casefold(), phrase)
            if key not in seen:
                seen.add(key)
                found.append(Finding(match.group(0), phrase))
    return tuple(found)


def describe(findings: Sequence[Finding], limit: int = 8) -> str:
    """One sentence listing where listed words occur, e.g. for the CLI's refusal."""
    parts = [f"'{f.word}' in {f.where}" for f in findings[:limit]]
    more = len(findings) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
