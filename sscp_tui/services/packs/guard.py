"""The pseudonym guard: words that must never appear in a pack, found before it is written.

Reviews name children by pseudonyms ("Child A", "Baby KK"). A partnership keeps a list of
words that must not reach a paper — a real surname, a school, a street — in its settings
(``[packs] forbidden_words``). Matching is whole-word and ignores case; a phrase matches as a
whole. Every piece of text the pack will print is checked, and each occurrence is reported
with where it is, so the business team can correct the record before the papers go out.

Text is matched as a reader sees it, not as it is stored: soft hyphens and zero-width
characters (invisible when printed) are taken out, and any run of spaces, non-breaking
spaces, tabs and line breaks counts as one space, so "Sm\u00adith" and "John\nSmith" are
found as "Smith" and "John Smith". The list's words are read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from operator import attrgetter

from sscp_tui.services.packs.model import Finding, Pack, PackItem

# Characters that print as nothing: the soft hyphen, zero-width space and joiners, word joiner,
# and the byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")  # every Unicode space, the non-breaking ones included
_ODD_SPACES = re.compile(r"\s\s|[^\S ]")  # anything as_printed would change in ASCII text


def as_printed(text: str) -> str:
    """``text`` as a reader sees it: invisible characters out, each run of spaces one space.
    Most text (ASCII, single spaces) is returned as it is, after one quick look."""
    if text.isascii() and not _ODD_SPACES.search(text):
        return text
    return _SPACES.sub(" ", text.translate(_INVISIBLE))


def word_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for every listed word, longest first so phrases win over their parts. It
    is meant for text made :func:`as_printed`."""
    # Judged once made as printed: a listed "word" of invisible characters alone is no word.
    cleaned = sorted({w for w in (as_printed(w).strip() for w in words) if w}, key=lambda w: (-len(w), w))
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(w) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# Where a text is: a finished phrase, or (item, what) to be phrased only if a word is found.
_Where = str | tuple[PackItem, str]

# What the log prints of an item and of its latest update, with how each is named.
_LOGGED = (("reference", "its reference"), ("text", "its text"), ("timescale", "its timescale"))
_UPDATED = (("text", "its latest progress update"), ("author", "the author of its latest progress update"))
_logged = attrgetter(*(name for name, _what in _LOGGED))
_updated = attrgetter(*(name for name, _what in _UPDATED))


def _texts(pack: Pack) -> Iterator[tuple[_Where, str]]:
    """(where, text) for every piece of free text the pack prints."""
    cover = pack.cover
    yield "the cover (title)", cover.title
    yield "the cover (tracker)", cover.database
    yield "the cover (meeting group)", cover.group
    yield "the cover (scope)", cover.scope
    for note in cover.notes:
        yield "the cover (notes)", note
    seen: set[str] = set()
    for section in pack.sections:
        yield f"the heading of log section '{section.title}'", section.title
        for item in section.items:
            yield from _names(item, seen)
            for (_name, what), text in zip(_LOGGED, _logged(item), strict=True):
                yield (item, what), text
            if item.latest_update is not None:
                for (_name, what), text in zip(_UPDATED, _updated(item.latest_update), strict=True):
                    yield (item, what), text
    for exceptions in pack.exceptions:
        for entry in exceptions.entries:
            # An exception row prints the item's text and latest update too: an item may be
            # listed (put forward for closure) and not be in the log (open items only).
            yield from _names(entry.item, seen)
            for (_name, what), text in zip(_LOGGED, _logged(entry.item), strict=True):
                yield (entry.item, what), text
            if entry.item.latest_update is not None:
                for (_name, what), text in zip(_UPDATED, _updated(entry.item.latest_update), strict=True):
                    yield (entry.item, what), text
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


def _all_text(pack: Pack) -> tuple[str, list[str]]:
    """Every text :func:`_texts` yields (and a name or two more), for a quick first test:
    the pieces wholly in ASCII lower-cased and joined, and the others as they are. Gathered
    without saying where each piece is, which is most of ``_texts``' time."""
    cover = pack.cover
    parts = [cover.title, cover.database, cover.group, cover.scope, *cover.notes]
    # The reviews and agencies items name are few, repeated thousands of times: each once.
    names: set[str | None] = set()
    named = attrgetter("source", "lead_agency", "lead_agency_name")
    for section in pack.sections:
        parts.append(section.title)
        for item in section.items:
            names.update(named(item))
            parts += _logged(item)
            if item.latest_update is not None:
                parts += _updated(item.latest_update)
    for exceptions in pack.exceptions:
        for entry in exceptions.entries:
            names.update(named(entry.item))
            parts += _logged(entry.item)
            if entry.item.latest_update is not None:
                parts += _updated(entry.item.latest_update)
            parts.append(entry.detail)
    parts += [name for name in names if name]
    plain = _SPACES.sub(" ", "\x00".join([part for part in parts if part and part.isascii()]).lower())
    return plain, [as_printed(part) for part in parts if part and not part.isascii()]


def _phrase(where: _Where) -> str:
    if isinstance(where, str):
        return where
    item, what = where
    return f"{item.label}: {what}"


def find_words(pack: Pack, words: Sequence[str]) -> tuple[Finding, ...]:
    """Each listed word found, with where; the same word in the same place is reported once.

    Matching is the pattern's (whole words, ignoring case). Before it runs on a piece, a
    quick test rules the piece out: for a word in ASCII, text in ASCII can hold it only if
    its lower case holds the word's. Text with other letters is always matched properly
    (lower case is not the pattern's idea of case there: "istanbul" matches "İstanbul"),
    and so is all text when a listed word has other letters. Usually the whole pack is
    ruled out at once, which is the quick test on all its text.
    """
    pattern = word_pattern(words)
    if pattern is None:
        return ()
    wanted = {w for w in (as_printed(w).strip().lower() for w in words) if w}
    quick = all(word.isascii() for word in wanted)
    if quick:
        plain, others = _all_text(pack)
        if not any(word in plain for word in wanted) and not any(pattern.search(p) for p in others):
            return ()
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for where, text in _texts(pack):
        if not text:
            continue
        text = as_printed(text)
        if quick and text.isascii() and not any(w in text.lower() for w in wanted):
            continue
        for match in pattern.finditer(text):
            phrase = _phrase(where)
            key = (match.group(0).casefold(), phrase)
            if key not in seen:
                seen.add(key)
                found.append(Finding(match.group(0), phrase))
    return tuple(found)


def describe(findings: Sequence[Finding], limit: int | None = 8) -> str:
    """One sentence listing where listed words occur, e.g. for the CLI's refusal: the first
    ``limit`` places and how many more, or every place where ``limit`` is None."""
    shown = findings if limit is None else findings[:limit]
    parts = [f"'{f.word}' in {f.where}" for f in shown]
    more = len(findings) - len(shown)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
