"""P1–P2: a dataset's properties (contract §3.2–§3.4, §4), over the core's fields.

Reads show the properties of datasets the caller may read, options included. Writes are the app's
administrators' (the core checks). Adding a property adds a field of the mapped core type (a
column); its type never changes after (400); deleting one drops every record's values of it, so it
needs `?confirm=true` (400 otherwise). Automatic properties (negative ids) are not stored and can
be neither changed nor deleted."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.field_names import read_class_file, valid_field_name
from objectbase.api.tracy import members
from objectbase.api.tracy.bodies import read_object, required_string
from objectbase.api.tracy.datasets import datasets_by_id, readable_datasets
from objectbase.api.tracy.params import flag_param, int_param, path_id
from objectbase.api.tracy.properties import Property, properties_of, property_not_found, property_of
from objectbase.api.tracy.property_types import CATALOGUE, PropertyType
from objectbase.api.tracy.render import render_dataset, render_property
from objectbase.core.actor import Actor
from objectbase.core.classes import require_admin
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.schema import ClassDef, FieldDef, FieldSpec
from objectbase.core.services import Services
from objectbase.core.unit_of_work import writes

__all__ = ["create_property", "delete_property", "get_property", "list_properties", "update_property"]

_TYPES = {t.id: t for t in CATALOGUE}


def _rendered(cls: ClassDef, prop: Property) -> dict[str, Any]:
    return render_property(prop, render_dataset(cls), options=True)


async def list_properties(request: Request) -> Response:
    """P1: by dataset and position (the automatic ones last); without `datasetId`, every readable dataset's."""
    dataset_id = int_param(request, "datasetId")
    chosen = datasets_by_id(await readable_datasets(request), dataset_id)
    return json_response([_rendered(cls, prop) for cls in chosen for prop in properties_of(cls)])


async def get_property(request: Request) -> Response:
    property_id = path_id(request)
    for cls in await readable_datasets(request):
        for prop in properties_of(cls):
            if prop.id == property_id:
                return json_response(_rendered(cls, prop))
    raise property_not_found()


# -- P2 -----------------------------------------------------------------------------------------

def _property_type(body: dict[str, Any]) -> PropertyType:
    reference = body.get("propertyType")
    ident = reference.get("id") if isinstance(reference, dict) else None
    kind = _TYPES.get(ident) if isinstance(ident, str) else None
    if kind is None:
        raise members.invalid("propertyType.id", "The property type must be one of GET /v1/property-types.")
    return kind


def _parameters(body: dict[str, Any]) -> str | None:
    value = body.get("parameters")
    if value is not None and not isinstance(value, str):
        raise members.invalid("parameters", "The parameters are a JSON object serialised into a string.")
    return value


def _target_id(parameters: str | None) -> int:
    """A record link's target dataset: `{"datasetId": n}` in its parameters."""
    try:
        target = json.loads(parameters)["datasetId"] if parameters is not None else None
    except (ValueError, TypeError, KeyError, RecursionError):
        target = None
    if not isinstance(target, int) or isinstance(target, bool) or not 0 < target <= members.INT32_MAX:
        raise members.invalid("parameters", 'A record property names its dataset: {"datasetId": n}.')
    return target


def _field_spec(core: Services, actor: Actor, cls: ClassDef, name: str, kind: PropertyType, required: bool,
                parameters: str | None) -> FieldSpec:
    """The new field as a class file would give it, so names and types are checked as there."""
    entry: Any = kind.core_type
    if kind.core_type.removesuffix("[]") == "Record":
        try:
            target = core.classes.get_class_by_id(actor, _target_id(parameters))
        except NotFoundError:
            raise members.invalid("parameters", "The datasetId names no dataset.") from None
        entry = {"type": kind.core_type, "class": target.name}
    try:
        (spec,) = read_class_file({"name": cls.name, "fields": {name: entry}, "required": [name] if required else []})
    except ValidationError as error:
        raise error.with_field_names({f"fields.{name}": "name", name: "name"}) from None
    return spec.fields[0]


@writes
def _create(actor: Actor, core: Services, body: dict[str, Any]) -> tuple[ClassDef, Property]:
    require_admin(actor)  # before any lookup: a refused caller learns nothing of ids
    cls = core.classes.get_class_by_id(actor, members.reference_id(body, "dataset", required=True) or 0)
    kind = _property_type(body)
    if kind.is_automatic:
        raise members.invalid("propertyType.id", "Automatic properties are every dataset's; they cannot be added.")
    name = required_string(body, "name")
    parameters = _parameters(body)
    spec = _field_spec(core, actor, cls, name, kind, bool(members.boolean(body, "isRequired")), parameters)
    position, title = members.position(body), bool(members.boolean(body, "isUsedAsTitle"))
    try:
        changed = core.classes.add_field(actor, cls.name, spec, position=position, title=title,
                                         parameters=parameters)
    except ValidationError as error:
        raise error.with_field_names({name: "name"}) from None  # the core names the field
    return changed, property_of(changed, changed.fields[name])


def _stored_field(core: Services, actor: Actor, property_id: int) -> tuple[ClassDef, FieldDef]:
    if property_id < 0:
        if any(p.id == property_id for c in core.classes.list_classes(actor) for p in properties_of(c)):
            raise members.invalid("id", "Automatic properties cannot be changed or deleted.")
        raise property_not_found()
    try:
        return core.classes.get_class_of_field(actor, property_id)
    except NotFoundError:
        raise property_not_found() from None


def _changes(cls: ClassDef, field: FieldDef, body: dict[str, Any]) -> dict[str, Any]:
    """The core `change_field` arguments for the members sent; a different dataset or type → 400."""
    dataset_id = members.reference_id(body, "dataset")
    if dataset_id is not None and dataset_id != cls.id:
        raise members.invalid("dataset.id", "A property cannot move to another dataset.")
    prop = property_of(cls, field)
    if "propertyType" in body and body["propertyType"] is not None and _property_type(body) != prop.type:
        raise members.invalid("propertyType.id", "A property's type cannot change after it is created.")
    changes: dict[str, Any] = {"required": members.boolean(body, "isRequired"),
                               "title": members.boolean(body, "isUsedAsTitle"), "position": members.position(body)}
    if (name := members.text(body, "name")) is not None:
        changes["name"] = valid_field_name(name)
    if "parameters" in body:
        parameters = _parameters(body)
        if field.target_class_id is not None and parameters is not None and _target_id(parameters) != field.target_class_id:
            raise members.invalid("parameters", "A record property's dataset cannot change.")
        changes["parameters"] = parameters
    return changes


@writes
def _update(actor: Actor, core: Services, property_id: int, body: dict[str, Any]) -> tuple[ClassDef, Property]:
    require_admin(actor)
    cls, field = _stored_field(core, actor, property_id)
    changes = _changes(cls, field, body)
    changed = core.classes.change_field(actor, cls.name, field.name, **changes)
    return changed, property_of(changed, changed.fields[changes.get("name") or field.name])


@writes
def _delete(actor: Actor, core: Services, property_id: int, confirm: bool) -> None:
    require_admin(actor)
    cls, field = _stored_field(core, actor, property_id)
    core.classes.delete_field(actor, cls.name, field.name, drop_data=confirm)


async def _run(request: Request, *args: Any) -> Any:
    try:
        return await perform(request, *args)
    except ValidationError as error:
        if error.code == "field_removal":  # the core's refusal of a removal not asked for explicitly
            raise _confirm_needed() from None
        raise


def _confirm_needed() -> ValidationError:
    return members.invalid("confirm", "Deleting a property deletes every record's values of it; "
                                      "send confirm=true to do so.", "confirm_required")


async def create_property(request: Request) -> Response:
    """P2 POST: `dataset`, `propertyType` and `name` required; `isRequired`, `isUsedAsTitle` (the
    dataset's one title: another loses it), `parameters`, `position` (default last among the fields)."""
    body = await read_object(request, "Property")
    cls, prop = await _run(request, _create, services(request), body)
    return json_response(_rendered(cls, prop))


async def update_property(request: Request) -> Response:
    """P2 PATCH: the members sent are changed; `dataset` and `propertyType` may only repeat the current ones."""
    property_id = path_id(request)
    body = await read_object(request, "Property")
    cls, prop = await _run(request, _update, services(request), property_id, body)
    return json_response(_rendered(cls, prop))


async def delete_property(request: Request) -> Response:
    """P2 DELETE: only with `?confirm=true`, which drops every record's values of the property."""
    property_id = path_id(request)
    await _run(request, _delete, services(request), property_id, flag_param(request, "confirm"))
    return json_response({})
