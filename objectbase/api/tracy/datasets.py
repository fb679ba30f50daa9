"""DS1–DS3 and PT1: datasets (classes) and the property-type catalogue.

Reads show the classes the caller may read records of (core `find_classes`), so a dataset the
caller cannot see answers 404 like one that does not exist; they are listed by catalogue position.
Writes are the app's administrators' (the core checks): a dataset's `name` is the class name (the
one QuickBlox and DreamFactory use too), `position` its place in the catalogue, `path` its folder,
`isDisabled` refuses new records."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy import members
from objectbase.api.tracy.bodies import read_object, required_string
from objectbase.api.tracy.params import flag_param, include_of, path_id
from objectbase.api.tracy.property_types import CATALOGUE
from objectbase.api.tracy.render import render_dataset, render_property_type
from objectbase.core.actor import Actor
from objectbase.core.classes import require_admin
from objectbase.core.errors import NotFoundError
from objectbase.core.permissions import DEFAULT_CLASS_PERMISSIONS
from objectbase.core.schema import ClassDef, ClassSpec
from objectbase.core.services import Services
from objectbase.core.unit_of_work import writes

__all__ = ["create_dataset", "dataset_not_found", "datasets_by_id", "delete_dataset", "find_dataset",
           "get_dataset", "list_datasets", "list_property_types", "readable_datasets", "update_dataset"]

_DATASET_INCLUDES = frozenset({"states", "properties", "properties.options"})
# DS2 and the writes' answers (contract §4: states and properties included by default).
_DEFAULT_INCLUDE = frozenset({"states", "properties"})


def dataset_not_found() -> NotFoundError:
    return NotFoundError("No dataset of this id exists", code="dataset_not_found")


def in_catalogue_order(classes: list[ClassDef]) -> list[ClassDef]:
    return sorted(classes, key=lambda c: (c.position, c.id))


async def readable_datasets(request: Request) -> list[ClassDef]:
    """The classes the caller may read records of, by catalogue position."""
    return in_catalogue_order(await perform(request, services(request).classes.find_classes))


def find_dataset(classes: list[ClassDef], dataset_id: int) -> ClassDef:
    for cls in classes:
        if cls.id == dataset_id:
            return cls
    raise dataset_not_found()


def datasets_by_id(classes: list[ClassDef], dataset_id: int | None) -> list[ClassDef]:
    """The one dataset asked for (404 if it is not among `classes`), or all of them (None)."""
    return classes if dataset_id is None else [find_dataset(classes, dataset_id)]


async def list_datasets(request: Request) -> Response:
    include = include_of(request, _DATASET_INCLUDES, frozenset())
    return json_response([render_dataset(cls, include=include) for cls in await readable_datasets(request)])


async def get_dataset(request: Request) -> Response:
    dataset_id = path_id(request)
    include = include_of(request, _DATASET_INCLUDES, _DEFAULT_INCLUDE)
    return json_response(render_dataset(find_dataset(await readable_datasets(request), dataset_id), include=include))


def _listing(body: dict[str, Any]) -> dict[str, Any]:
    """The catalogue members sent: `position`, `isDisabled`, and `path` (null = top level)."""
    listing: dict[str, Any] = {"position": members.position(body), "disabled": members.boolean(body, "isDisabled")}
    if "path" in body:
        listing["path"] = members.text(body, "path")
    return listing


async def create_dataset(request: Request) -> Response:
    """DS3 POST: `name` required; `path`, `position` (default last), `isDisabled`. `states`,
    `properties` and `representations` are read-only here (ST2, P2)."""
    body = await read_object(request, "Dataset")
    name = required_string(body, "name")
    listing = _listing(body)
    spec = ClassSpec(name, (), DEFAULT_CLASS_PERMISSIONS)
    cls = await perform(request, services(request).classes.create_class, spec, position=listing["position"],
                        path=listing.get("path"), disabled=bool(listing["disabled"]))
    return json_response(render_dataset(cls, include=_DEFAULT_INCLUDE))


@writes
def _update(actor: Actor, core: Services, dataset_id: int, body: dict[str, Any]) -> ClassDef:
    require_admin(actor)  # before any lookup: a refused caller learns nothing of ids
    cls = core.classes.get_class_by_id(actor, dataset_id)
    return core.classes.change_class(actor, cls.name, name=members.text(body, "name"), **_listing(body))


async def update_dataset(request: Request) -> Response:
    """DS3 PATCH: the members sent are changed (`name` renames the class; its records stay)."""
    dataset_id = path_id(request)
    body = await read_object(request, "Dataset")
    cls = await perform(request, _update, services(request), dataset_id, body)
    return json_response(render_dataset(cls, include=_DEFAULT_INCLUDE))


@writes
def _delete(actor: Actor, core: Services, dataset_id: int, confirm: bool) -> None:
    require_admin(actor)
    cls = core.classes.get_class_by_id(actor, dataset_id)
    core.classes.delete_class(actor, cls.name, only_if_empty=not confirm)


async def delete_dataset(request: Request) -> Response:
    """DS3 DELETE: a dataset with records only with `?confirm=true` (409 otherwise); they go with it."""
    dataset_id = path_id(request)
    await perform(request, _delete, services(request), dataset_id, flag_param(request, "confirm"))
    return json_response({})


async def list_property_types(request: Request) -> Response:
    # The catalogue is no secret, but like every endpoint it needs credentials of the app.
    await perform(request, _authenticated)
    return json_response([render_property_type(kind) for kind in CATALOGUE])


def _authenticated(actor: object) -> None:
    """A core call that only authenticates (`perform` checks the credentials before any operation)."""
