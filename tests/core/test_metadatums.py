"""Metadatums: CRUD with database ids, the record's permissions, deleted with the record."""

from __future__ import annotations

import pytest

from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from tests.conftest import QB
from tests.core.record_helpers import user


def test_metadatums_follow_the_record(qb: QB) -> None:
    qb.apply_class({"name": "Card", "fields": {"title": "String"}})
    qb.make_user("owner")
    qb.make_user("other")
    response = qb.client.post("/data/Card.json", json={"title": "t"}, headers=qb.headers("owner"))
    record_id = response.json()["_id"]
    owner, other = user(qb, "owner"), user(qb, "other")
    service = qb.services.metadata

    first = service.add_metadatum(owner, "Card", record_id, 3, decimal_value=1.5)
    second = service.add_metadatum(owner, "Card", record_id, 4, record_value=42)
    assert second.id > first.id
    assert service.metadatum_list(other, "Card", record_id) == [first, second]  # read: open by default
    changed = service.change_metadatum(owner, first.id, 2.5, None)
    assert service.get_metadatum(owner, first.id) == changed and changed.decimal_value == 2.5

    with pytest.raises(PermissionDeniedError):
        service.add_metadatum(other, "Card", record_id, 3, decimal_value=1.0)
    with pytest.raises(PermissionDeniedError):
        service.remove_metadatum(other, first.id)
    for bad in ({"decimal_value": float("nan")}, {"record_value": "x"}):
        with pytest.raises(ValidationError):
            service.add_metadatum(owner, "Card", record_id, 3, **bad)
    assert service.metadatum_list(owner, "Card", record_id) == [changed, second]

    service.remove_metadatum(owner, first.id)
    with pytest.raises(NotFoundError):
        service.get_metadatum(owner, first.id)
    seq = qb.services.records.get_records(qb.admin, "Card", [record_id]).records[0].seq
    assert qb.client.delete(f"/data/Card/{record_id}.json", headers=qb.headers("owner")).status_code == 200
    cls = qb.services.classes.get_class(qb.admin, "Card")
    with qb.services.storage.transaction(write=False) as tx:
        assert seq is not None and tx.select_metadatum_rows(cls.id, seq) == []
