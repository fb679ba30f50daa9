"""DS1–DS2, P1, PT1: datasets (classes), their properties, and the property-type catalogue.

Datasets are the classes the caller may read records of (core `find_classes`), so a dataset the
caller cannot see answers 404 like one that does not exist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.params import include_of, int_param, path_id
from objectbase.api.tracy.properties import properties_of
from objectbase.api.tracy.property_types import CATALOGUE
from objectbase.api.tracy.render import render_dataset, render_property, render_property_type
from objectbase.core.errors import NotFoundError
from objectbase.core.schema import ClassDef

__all__ = ["get_dataset", "get_property", "list_datasets", "list_properties", "list_property_types"]

_DATASET_INCLUDES = frozenset({"properties"})


async def _readable(request: Request) -> list[ClassDef]:
    return await perform(request, services(request).classes.find_classes)


def _dataset_not_found() -> NotFoundError:
    return NotFoundError("No dataset of this id exists", code="dataset_not_found")


def _find(classes: list[ClassDef], dataset_id: int) -> tuple[int, ClassDef]:
    for position, cls in enumerate(classes):
        if cls.id == dataset_id:
            return position, cls
    raise _dataset_not_found()


async def list_datasets(request: Request) -> Response:
    include = include_of(request, _DATASET_INCLUDES, frozenset())
    classes = await _readable(request)
    return json_response([render_dataset(cls, position, include=include) for position, cls in enumerate(classes)])


async def get_dataset(request: Request) -> Response:
    dataset_id = path_id(request)
    include = include_of(request, _DATASET_INCLUDES, _DATASET_INCLUDES)
    position, cls = _find(await _readable(request), dataset_id)
    return json_response(render_dataset(cls, position, include=include))


async def list_properties(request: Request) -> Response:
    dataset_id = int_param(request, "datasetId")
    classes = await _readable(request)
    chosen = [_find(classes, dataset_id)] if dataset_id is not None else list(enumerate(classes))
    return json_response([render_property(prop, render_dataset(cls, position))
                          for position, cls in chosen for prop in properties_of(cls)])


async def get_property(request: Request) -> Response:
    property_id = path_id(request)
    for position, cls in enumerate(await _readable(request)):
        for prop in properties_of(cls):
            if prop.id == property_id:
                return json_response(render_property(prop, render_dataset(cls, position)))
    raise NotFoundError("No property of this id exists", code="property_not_found")


async def list_property_types(request: Request) -> Response:
    # The catalogue is no secret, but like every endpoint it needs credentials of the app.
    await perform(request, _authenticated)
    return json_response([render_property_type(kind) for kind in CATALOGUE])


def _authenticated(actor: object) -> None:
    """A core call that only authenticates (`perform` checks the credentials before any operation)."""
