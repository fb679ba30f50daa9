"""Which elements of an array value survive a change: the one matching rule that datum ids (their
stable identity) and the history's elementary changes share."""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any, Sequence

__all__ = ["ElementPair", "pair_elements"]

# (old index, new index): both set = the same element (kept, maybe changed or moved); only the old
# one = removed; only the new one = added.
ElementPair = tuple[int | None, int | None]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def pair_elements(old: Sequence[Any], new: Sequence[Any]) -> list[ElementPair]:
    """Pairs elements by value, in order (the longest common subsequence): a pull removes exactly the
    pulled elements and a push keeps every old one, where matching by position would hand the ids of
    the elements after a pulled one to other values. A run replaced by a run (e.g. set-by-index) pairs
    element by element, so changing one element keeps its identity; what is left over is removed or
    added. Among equal elements the earliest ones are matched first."""
    pairs: list[ElementPair] = []
    matcher = SequenceMatcher(None, [_key(v) for v in old], [_key(v) for v in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
            continue
        common = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        pairs.extend((i1 + k, j1 + k) for k in range(common))
        pairs.extend((i, None) for i in range(i1 + common, i2))
        pairs.extend((None, j) for j in range(j1 + common, j2))
    return pairs
