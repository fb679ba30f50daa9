"""`get_records` caps how many ids one call names: QuickBlox's 100 by default, more where a
dialect asks (DreamFactory: 1000)."""

from __future__ import annotations

import pytest

from objectbase.core.errors import LimitExceededError
from objectbase.core.ids import new_object_id
from tests.conftest import QB


def test_the_default_cap_is_100_and_a_dialect_may_raise_it(qb: QB) -> None:
    qb.apply_class()
    ids = [new_object_id(0) for _ in range(101)]
    records = qb.services.records
    assert len(records.get_records(qb.admin, "ScoreTable", ids[:100]).not_found) == 100
    with pytest.raises(LimitExceededError):
        records.get_records(qb.admin, "ScoreTable", ids)
    assert len(records.get_records(qb.admin, "ScoreTable", ids, max_ids=1000).not_found) == 101
    with pytest.raises(LimitExceededError):
        records.get_records(qb.admin, "ScoreTable", ids * 10, max_ids=1000)
