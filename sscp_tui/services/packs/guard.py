"""The pseudonym guard: words that must never appear in a pack, found before it is written.

Reviews name children by pseudonyms ("Child A", "Baby KK"). A partnership keeps a list of
words that must not reach a paper — a real surname, a school, a street — in its settings
(``[packs] forbidden_words``). Matching is whole-word and ignores case; a phrase matches as a
whole. Every piece of text the pack will print is checked, and each occurrence is reported
with where it is, so the business team can correct the record before the papers go out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from sscp_tui.services.packs.model import Finding, Pack, long_date


def word_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for every listed word, longest first so phrases win over their parts."""
    cleaned = sorted({w.strip() for w in words if w.strip()}, key=lambda w: (-len(w), w))
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(w) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _texts(pack: Pack) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of free text the pack prints."""
    cover = pack.cover
    yield "the cover (meeting group)", cover.group
    yield "the cover (scope)", cover.scope
    for note in cover.notes:
        yield "the cover (notes)", note
    seen_sources: set[str] = set()
    seen_agencies: set[str] = set()
    for section in pack.sections:
        yield f"the heading of log section '{section.title}'", section.title
        for item in section.items:
            if item.source not in seen_sources:
                seen_sources.add(item.source)
                yield f"the name of '{item.source}'", item.source
            if item.lead_agency and item.lead_agency not in seen_agencies:
                seen_agencies.add(item.lead_agency)
                yield f"the name of lead agency {item.lead_agency}", item.lead_agency
                yield f"the name of lead agency {item.lead_agency}", item.lead_agency_name or ""
            yield f"{item.label}: its reference", item.reference
            yield f"{item.label}: its text", item.text
            yield f"{item.label}: its timescale", item.timescale
            if item.latest_update is not None:
                note = item.latest_update
                when = long_date(note.written_on)
                yield f"{item.label}: the progress update of {when}", note.text
                yield f"{item.label}: the author of the progress update of {when}", note.author
    for exceptions in pack.exceptions:
        for entry in exceptions.entries:
            yield f"{entry.item.label}: the '{exceptions.title}' exception", entry.detail


def find_words(pack: Pack, words: Sequence[str]) -> tuple[Finding, ...]:
    """Each listed word found, with where; the same word in the same place is reported once."""
    pattern = word_pattern(words)
    if pattern is None:
        return ()
    return tuple(_scan(pattern, _texts(pack)))


def _scan(pattern: re.Pattern[str], texts: Iterable[tuple[str, str]]) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for where, text in texts:
        if not text:
            continue
        for match in pattern.finditer(text):
            key = (match.group(0).casefold(), where)
            if key not in seen:
                seen.add(key)
                yield Finding(match.group(0), where)


def describe(findings: Sequence[Finding], limit: int = 8) -> str:
    """One sentence listing where listed words occur, e.g. for the CLI's refusal."""
    parts = [f"'{f.word}' in {f.where}" for f in findings[:limit]]
    more = len(findings) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
