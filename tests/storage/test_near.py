"""`near` in SQL, by example, on both databases (the property tests compare it with the evaluator)."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.errors import ValidationError
from objectbase.core.query import ast
from objectbase.core.query.evaluate import EARTH_RADIUS_M
from objectbase.core.records import NewRecord
from objectbase.core.services import Services

PLACES = {
    "origin": [11.0, 45.4],
    "ten_km": [11.0905, 45.4636],  # ~10 km north-east of the origin
    "antipode": [-169.0, -45.4],
    "east_of_antimeridian": [179.9, 0.0],
    "west_of_antimeridian": [-179.9, 0.0],  # ~22 km from the one above
    "north_pole": [0.0, 90.0],
    "nowhere": None,
}


@pytest.fixture(scope="module")
def places(services: Services) -> tuple[Services, Actor, dict[str, str]]:
    app = services.apps.create_app(f"near-{uuid.uuid4().hex[:8]}")
    actor = Actor.admin(app.app_id)
    services.classes.apply_classes(actor, read_class_file({"name": "Place", "fields": {"loc": "Location"}}))
    created = services.records.create_records(actor, "Place", [NewRecord({"loc": p}) for p in PLACES.values()])
    return services, actor, {record.id: name for name, record in zip(PLACES, created.records)}


def found(places: tuple[Services, Actor, dict[str, str]], where: ast.Node) -> set[str]:
    services, actor, names = places
    return {names[r.id] for r in services.records.find_records(actor, "Place", ast.Query(where=where)).records}


EVERYWHERE = frozenset(PLACES) - {"nowhere"}


@pytest.mark.parametrize(("lon", "lat", "radius", "expected"), [
    pytest.param(11.0, 45.4, 16_800, {"origin", "ten_km"}, id="16.8km"),
    pytest.param(11.0, 45.4, 5_000, {"origin"}, id="5km"),
    pytest.param(11.0, 45.4, 0, {"origin"}, id="zero"),
    pytest.param(11.0, 45.4, -1, set(), id="negative"),
    pytest.param(179.9, 0.0, 25_000, {"east_of_antimeridian", "west_of_antimeridian"}, id="antimeridian"),
    pytest.param(45.0, 89.999, 200, {"north_pole"}, id="pole"),
    # Half the circumference or more: everywhere, the antipode included.
    pytest.param(11.0, 45.4, math.pi * EARTH_RADIUS_M, EVERYWHERE, id="half-circumference"),
    pytest.param(11.0, 45.4, 1e9, EVERYWHERE, id="beyond"),
])
def test_near_finds_locations_within_the_radius(places: Any, lon: float, lat: float, radius: float,
                                                expected: frozenset[str]) -> None:
    assert found(places, ast.Near("loc", lon, lat, radius)) == expected


def test_not_near_leaves_out_missing_locations(places: Any) -> None:
    # A missing location is neither near nor not near (as with every comparison on a missing value).
    assert found(places, ast.Not(ast.Near("loc", 11.0, 45.4, 16_800))) == EVERYWHERE - {"origin", "ten_km"}


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_near_rejects_non_finite_numbers(places: Any, bad: float) -> None:
    # Binding refuses them as invalid values, naming the field; the compiler keeps its own guard.
    for node in (ast.Near("loc", bad, 45.4, 1000), ast.Near("loc", 11.0, 45.4, bad)):
        with pytest.raises(ValidationError) as refused:
            found(places, node)
        assert "loc" in refused.value.field_errors
