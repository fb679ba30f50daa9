"""Hostile-input properties through the Tracy dialect (issue 12, item 3), as the QuickBlox and
DreamFactory ones in tests/api/test_hostile_properties.py: any datum value in any slot, any record
id, any list parameter — never a 5xx; a refusal is a problem document; a refused write changes
nothing (records, events and stored rows)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from objectbase.api.tracy.record_values import SLOTS
from objectbase.core.services import Services
from tests.api.test_hostile_properties import BRACKET_KEY, HOSTILE_INT, HOSTILE_TEXT, NESTED, PROPERTY, _query
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.records_setup import LEAD, Lead
from tests.conftest import QB

SLOT = st.sampled_from([*SLOTS, "booleanValue", "value", ""])


@pytest.fixture(scope="module")
def leads(client: TestClient, services: Services) -> Lead:
    tracy = Tracy(QB(client, services, services.apps.create_app(f"hostile-tracy-{uuid.uuid4().hex[:8]}")))
    tracy.qb.apply_class(LEAD)
    return Lead(tracy, services.classes.get_class(tracy.qb.admin, "Lead"))


def _answered(response: Any) -> int:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
    return int(response.status_code)


def _body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()  # lone surrogates travel as `\ud800`


@PROPERTY
@given(field=st.sampled_from(list(LEAD["fields"])), slot=SLOT, value=NESTED, property_id=HOSTILE_INT | st.none())
def test_any_datum_in_any_slot(leads: Lead, field: str, slot: str, value: Any, property_id: int | None) -> None:
    before = leads.snapshot()
    datum = {"property": {"id": leads.prop(field) if property_id is None else property_id}, slot: value}
    response = leads.tracy.qb.client.post("/v1/records", content=_body({"dataset": {"id": leads.id},
                                                                        "datums": [datum]}),
                                          headers={**leads.tracy.owner_headers, "Content-Type": "application/json"})
    if _answered(response) >= 400:
        assert leads.snapshot() == before


@PROPERTY
@given(record_id=HOSTILE_TEXT | HOSTILE_INT.map(str), body=NESTED)
def test_any_record_id_and_patch_body(leads: Lead, record_id: str, body: Any) -> None:
    before = leads.snapshot()
    path = "/v1/records/" + "".join(c if c.isalnum() else f"%{ord(c) & 0xFF:02X}" for c in record_id)
    _answered(leads.tracy.get(path))
    patched = leads.tracy.qb.client.patch(path, content=_body(body),
                                          headers={**leads.tracy.owner_headers, "Content-Type": "application/json"})
    if _answered(patched) >= 400:
        assert leads.snapshot() == before


@PROPERTY
@given(pairs=st.lists(st.tuples(st.sampled_from(["datasetId", "offset", "limit", "sort", "filter", "q"])
                                | BRACKET_KEY, HOSTILE_TEXT | HOSTILE_INT.map(str)), min_size=1, max_size=4))
def test_any_list_parameters(leads: Lead, pairs: list[tuple[str, str]]) -> None:
    _answered(leads.tracy.get(f"/v1/records?{_query([('datasetId', str(leads.id)), *pairs])}"))
