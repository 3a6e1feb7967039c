"""Synonyms and query rewrites (`data/search/synonyms.yaml`), folded the way search folds text.

Applied twice: when indexing (a name containing one entry of an equivalence group is indexed under
every entry of the group, and each multi-word entry also as one joined word) and when querying
(search.js rewrites colloquial words, drops stop words and joins known phrases, using
`tim-kiem/tu-dong-nghia.json`, which the build writes from the same file).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cached_property

from catalog_build import text
from catalog_build.models import SearchTerms

TERMS_FILE = "tim-kiem/tu-dong-nghia.json"
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(value: str) -> str:
    """Folded, lower case, words separated by single spaces: 'Cấp thẻ Căn cước' -> 'cap the can cuoc'."""
    return " ".join(_NON_WORD.sub(" ", text.fold(value).lower()).split())


COMMON_SHARE = 0.15  # a word in more than this share of names narrows a search little


def common_words(names: Iterable[str]) -> list[str]:
    """Folded words found in more than COMMON_SHARE of the names, most common first ("cap": 41 % of
    the shipped ones)."""
    names = list(names)
    counts = Counter(word for name in names for word in set(normalise(name).split()))
    common = [(word, count) for word, count in counts.items() if count > COMMON_SHARE * len(names) and len(names) >= 20]
    return [word for word, _ in sorted(common, key=lambda item: (-item[1], item[0]))]


class Synonyms:
    def __init__(self, terms: SearchTerms) -> None:
        self.terms = terms

    @cached_property
    def groups(self) -> list[tuple[str, ...]]:
        return [tuple(dict.fromkeys(normalise(entry) for entry in group)) for group in self.terms.equivalents]

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        entries = sorted({entry for group in self.groups for entry in group}, key=len, reverse=True)
        if not entries:
            return None
        return re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(e) for e in entries) + r")(?![a-z0-9])")

    @cached_property
    def _group_of(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for index, group in enumerate(self.groups):
            for entry in group:
                found.setdefault(entry, []).append(index)
        return found

    def aliases(self, value: str) -> list[str]:
        """Entries of every group that `value` (any text) mentions, except those it already contains,
        then each multi-word entry of those groups joined into one word ("so do" -> "sodo").

        Joined words are what search.js turns a known phrase of a query into, so that "sổ đỏ" asks
        for one rare word rather than for "so" and "do", which start half the words of the catalogue.
        """
        folded = normalise(value)
        if self._pattern is None:
            return []
        wanted: dict[str, None] = {}
        for match in self._pattern.finditer(folded):
            for index in self._group_of[match.group(1)]:
                wanted.update(dict.fromkeys(self.groups[index]))
        padded = f" {folded} "
        joined = [entry.replace(" ", "") for entry in wanted if " " in entry]
        return [entry for entry in wanted if f" {entry} " not in padded] + joined

    def query_rules(self, names: Iterable[str] = (), common: list[str] | None = None) -> str:
        """The JSON search.js reads: rewrites longest first, stop words, known phrases, all folded,
        and the words common enough in `names` that a longer query is searched without them
        (`common`: those words, already counted)."""
        rewrites = sorted(
            ((normalise(source), normalise(target)) for source, target in self.terms.rewrites.items()),
            key=lambda pair: -len(pair[0]),
        )
        stopwords = sorted({normalise(word) for word in self.terms.stopwords}, key=lambda w: -len(w))
        phrases = sorted({entry for group in self.groups for entry in group if " " in entry}, key=lambda w: -len(w))
        common = common_words(names) if common is None else common
        rules = {"rewrites": rewrites, "stopwords": stopwords, "phrases": phrases, "common": common}
        return json.dumps(rules, ensure_ascii=False) + "\n"
