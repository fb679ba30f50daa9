"""core/identity_cache.py: one derivation per key object, never another object's value."""

from __future__ import annotations

from objectbase.core.identity_cache import IdentityCache


class Key:
    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:  # equal by value, as ACL dicts and class definitions are
        return isinstance(other, Key) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


def test_a_key_object_is_derived_once_and_an_equal_one_again() -> None:
    derived: list[int] = []

    def derive(key: Key) -> list[int]:
        derived.append(key.value)
        return [key.value * 10]

    cache = IdentityCache(derive)
    first, equal = Key(1), Key(1)
    assert cache(first) == [10] and cache(first) is cache(first)
    assert cache(equal) == [10] and cache(equal) is not cache(first)
    assert derived == [1, 1]


def test_a_full_cache_starts_over_and_still_answers_right() -> None:
    cache: IdentityCache[Key, int] = IdentityCache(lambda key: key.value, size=2)
    keys = [Key(n) for n in range(5)]
    assert [cache(k) for k in keys] == [0, 1, 2, 3, 4]
    assert [cache(k) for k in reversed(keys)] == [4, 3, 2, 1, 0]


def test_an_id_reused_after_the_cache_let_go_never_returns_the_old_value() -> None:
    cache: IdentityCache[Key, int] = IdentityCache(lambda key: key.value, size=1)
    assert cache(Key(1)) == 1
    assert cache(Key(2)) == 2   # the first key was dropped (and may be freed): its id may come again
    assert all(cache(Key(n)) == n for n in range(3, 200))
