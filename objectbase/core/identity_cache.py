"""Values derived once per object, for objects that never change once made."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

__all__ = ["IdentityCache"]

K = TypeVar("K")
V = TypeVar("V")


class IdentityCache(Generic[K, V]):
    """`derive(key)`, kept per key *object*: a worker's class definitions (frozen, replaced when the
    schema changes), the ACLs that rows without member lists share (storage/records.py) and the
    permission filter of an actor and class (core/permissions.py) are the same objects request
    after request, so a lookup is one dict probe, where hashing their value would cost about what
    deriving it does. Each entry holds its key, so the key's id cannot be reused by another object
    while cached; the cache is emptied when it reaches `size` entries. Callers must not change what
    it returns: the next caller gets the same object."""

    def __init__(self, derive: Callable[[K], V], size: int = 256) -> None:
        self._derive = derive
        self._size = size
        self._entries: dict[int, tuple[K, V]] = {}

    def __call__(self, key: K) -> V:
        entry = self._entries.get(id(key))
        if entry is not None and entry[0] is key:
            return entry[1]
        value = self._derive(key)
        if len(self._entries) >= self._size:
            self._entries.clear()
        self._entries[id(key)] = (key, value)
        return value
