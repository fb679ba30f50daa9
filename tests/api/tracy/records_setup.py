"""Shared set-up of the record-side Tracy tests: a dataset with states, every value slot, and helpers
that create and read records through `/v1` and snapshot what is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import httpx2 as httpx

from objectbase.core.schema import ClassDef
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.seed_schemas import assert_valid

LEAD: dict[str, Any] = {
    "name": "Lead",
    "fields": {"company": "String", "amount": "Float", "visits": "Integer", "due": "Date", "hot": "Boolean",
               "place": "Location", "notes": "String[]", "scores": "Integer[]",
               "stage": {"type": "Option", "options": ["Cold", "Warm", "Hot"]},
               "tags": {"type": "Option[]", "options": ["red", "green", "blue"]},
               "owner": "User", "related": {"type": "Record", "class": "Lead"}, "attachment": "File"},
    "states": [{"name": "New"}, {"name": "Doing", "color": 0xFF00FF00}, {"name": "Done"}],
}


@dataclass
class Lead:
    tracy: Tracy
    cls: ClassDef

    @property
    def id(self) -> int:
        return self.cls.id

    def prop(self, name: str) -> int:
        return self.cls.fields[name].id

    def state(self, name: str) -> int:
        return next(s.id for s in self.cls.states if s.name == name)

    def option(self, field: str, text: str) -> int:
        return next(o.id for o in self.cls.fields[field].options if o.text == text)

    def datum(self, name: str, slot: str, value: Any) -> dict[str, Any]:
        return {"property": {"id": self.prop(name)}, slot: value}

    def create(self, *datums: dict[str, Any], headers: Mapping[str, str] | None = None,
               **members: Any) -> dict[str, Any]:
        body = {"dataset": {"id": self.id}, "datums": list(datums) or [self.datum("company", "stringValue", "ACME")],
                **members}
        response = self.tracy.post("/v1/records", body, headers=headers)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()
        assert_valid(record, "Record")
        return record

    def get(self, record_id: int, headers: Mapping[str, str] | None = None) -> httpx.Response:
        return self.tracy.get(f"/v1/records/{record_id}", headers=headers)

    def read(self, record_id: int) -> dict[str, Any]:
        response = self.get(record_id)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()
        assert_valid(record, "Record")
        return record

    def patch(self, record_id: int, body: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
        return self.tracy.post(f"/v1/records/{record_id}", body, headers=headers, method="PATCH")

    def values(self, record: dict[str, Any]) -> dict[str, list[Any]]:
        """Each property name's rendered values (the one filled slot), in datum order."""
        names = {f.id: f.name for f in self.cls.fields.values()}
        found: dict[str, list[Any]] = {}
        for datum in record["datums"]:
            name = names.get(datum["property"]["id"], datum["property"]["name"])
            filled = [v for k, v in datum.items() if k.endswith("Value") and v is not None]
            found.setdefault(name, []).extend(filled)
        return found

    def snapshot(self) -> tuple[int, int, list[Any]]:
        """What a refused request must not change: records, events, and the stored rows."""
        qb = self.tracy.qb
        with qb.services.storage.transaction(write=False) as tx:
            records = tx.select_records(self.cls, _all())
            rows = [(r.id, r.values, r.state_id, r.archived_at, r.removed_at,
                     tx.select_datum_rows(self.cls.id, r.seq or 0), tx.select_metadatum_rows(self.cls.id, r.seq or 0),
                     tx.select_transitions(self.cls.id, r.seq or 0)) for r in records]
        return len(records), len(qb.events()), rows


def valid(response: httpx.Response, schema: str) -> dict[str, Any]:
    """A 200 answer whose body is a valid `schema` of the seed."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert_valid(body, schema)
    return body


def _all() -> Any:
    from objectbase.core.query import ast
    return ast.Query()


def lead(tracy: Tracy, spec: dict[str, Any] | None = None) -> Lead:
    tracy.qb.apply_class(spec or LEAD)
    return Lead(tracy, tracy.qb.services.classes.get_class(tracy.qb.admin, "Lead"))
