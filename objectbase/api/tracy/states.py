"""ST1–ST2: a dataset's workflow states (contract §3.2, §4), over the core class service's states.

Reads show the states of datasets the caller may read; writes are the app's administrators' (the
core checks). A record is always in one state of its dataset, so a state records are in cannot be
deleted (409), and the first state of a dataset that had none takes in its records."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy import members
from objectbase.api.tracy.bodies import read_object, required_string
from objectbase.api.tracy.datasets import datasets_by_id, readable_datasets
from objectbase.api.tracy.params import int_param, path_id
from objectbase.api.tracy.render import render_dataset, render_state
from objectbase.core.actor import Actor
from objectbase.core.classes import require_admin
from objectbase.core.errors import ValidationError
from objectbase.core.schema import ClassDef, StateDef
from objectbase.core.services import Services
from objectbase.core.unit_of_work import writes

__all__ = ["create_state", "delete_state", "list_states", "update_state"]

# The core names a bad state list "states"; here it can only be the one state's name.
_CORE_NAMES = {"states": "name"}


def _rendered(cls: ClassDef, state: StateDef) -> dict[str, Any]:
    return render_state(state, render_dataset(cls))


async def list_states(request: Request) -> Response:
    """ST1: by dataset and position; without `datasetId`, every readable dataset's."""
    dataset_id = int_param(request, "datasetId")
    chosen = datasets_by_id(await readable_datasets(request), dataset_id)
    return json_response([_rendered(cls, state) for cls in chosen for state in cls.states])


def _same_dataset(body: dict[str, Any], cls: ClassDef) -> None:
    dataset_id = members.reference_id(body, "dataset")
    if dataset_id is not None and dataset_id != cls.id:
        raise members.invalid("dataset.id", "A state cannot move to another dataset.")


@writes
def _create(actor: Actor, core: Services, body: dict[str, Any]) -> tuple[ClassDef, StateDef]:
    require_admin(actor)  # before any lookup: a refused caller learns nothing of ids
    cls = core.classes.get_class_by_id(actor, members.reference_id(body, "dataset", required=True) or 0)
    name = required_string(body, "name")
    state = core.classes.add_state(actor, cls.name, name, color=members.color(body),
                                   position=members.position(body))
    return cls, state


@writes
def _update(actor: Actor, core: Services, state_id: int, body: dict[str, Any]) -> tuple[ClassDef, StateDef]:
    require_admin(actor)
    cls, _ = core.classes.get_class_of_state(actor, state_id)
    _same_dataset(body, cls)
    state = core.classes.update_state(actor, cls.name, state_id, name=members.text(body, "name"),
                                      color=members.color(body), position=members.position(body))
    return cls, state


@writes
def _delete(actor: Actor, core: Services, state_id: int) -> None:
    require_admin(actor)
    cls, _ = core.classes.get_class_of_state(actor, state_id)
    core.classes.delete_state(actor, cls.name, state_id)


async def _run(request: Request, *args: Any) -> Any:
    try:
        return await perform(request, *args)
    except ValidationError as error:
        raise error.with_field_names(_CORE_NAMES) from None


async def create_state(request: Request) -> Response:
    """ST2 POST: `dataset` and `name` required; `color` (default grey) and `position` (default last)."""
    body = await read_object(request, "State")
    cls, state = await _run(request, _create, services(request), body)
    return json_response(_rendered(cls, state))


async def update_state(request: Request) -> Response:
    """ST2 PATCH: the members sent are changed (`name`, `color`, `position`); the id stays."""
    state_id = path_id(request)
    body = await read_object(request, "State")
    cls, state = await _run(request, _update, services(request), state_id, body)
    return json_response(_rendered(cls, state))


async def delete_state(request: Request) -> Response:
    """ST2 DELETE: refused (409) while records are in the state."""
    await _run(request, _delete, services(request), path_id(request))
    return json_response({})
