"""O1–O2: the options of `option` and `options` properties (contract §3.2, §4), over the core's
option service. Option ids never change, so records keep their choice through a rename.

Reads show the options of datasets the caller may read, in their order; writes are the app's
administrators' (the core checks). Deleting an option records use answers 409, unless
`?confirm=true`, which also takes it out of those records (each change an event)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy import members
from objectbase.api.tracy.bodies import read_object, required_string
from objectbase.api.tracy.datasets import readable_datasets
from objectbase.api.tracy.params import flag_param, int_param, path_id
from objectbase.api.tracy.properties import Property, properties_of, property_not_found, property_of
from objectbase.api.tracy.render import render_option, render_property
from objectbase.core.actor import Actor
from objectbase.core.classes import require_admin
from objectbase.core.errors import NotFoundError
from objectbase.core.fields.references import DEFAULT_OPTION_COLOR, OptionDef
from objectbase.core.schema import FieldDef
from objectbase.core.services import Services
from objectbase.core.unit_of_work import writes

__all__ = ["create_option", "delete_option", "list_options", "update_option"]


def _rendered(option: OptionDef, prop: Property) -> dict[str, Any]:
    return render_option(option, render_property(prop, None))


async def list_options(request: Request) -> Response:
    """O1: by property and position; without `propertyId`, every readable property's."""
    property_id = int_param(request, "propertyId")
    chosen = [prop for cls in await readable_datasets(request) for prop in properties_of(cls)
              if property_id is None or prop.id == property_id]
    if property_id is not None and not chosen:
        raise property_not_found()
    return json_response([_rendered(option, prop) for prop in chosen
                          for option in (prop.field.options if prop.field else ())])


def _same_property(body: dict[str, Any], field: FieldDef) -> None:
    property_id = members.reference_id(body, "property")
    if property_id is not None and property_id != field.id:
        raise members.invalid("property.id", "An option cannot move to another property.")


@writes
def _create(actor: Actor, core: Services, body: dict[str, Any]) -> tuple[OptionDef, Property]:
    require_admin(actor)  # before any lookup: a refused caller learns nothing of ids
    property_id = members.reference_id(body, "property", required=True) or 0
    if property_id < 0:
        raise members.invalid("property.id", "Automatic properties have no options.")
    try:
        cls, field = core.classes.get_class_of_field(actor, property_id)
    except NotFoundError:
        raise property_not_found() from None
    if field.type.name.removesuffix("[]") != "Option":
        raise members.invalid("property.id", "Only option and options properties have options.")
    text = required_string(body, "text")
    color = members.color(body)
    option = core.options.add_option(actor, cls.name, field.name, text,
                                     DEFAULT_OPTION_COLOR if color is None else color)
    return option, property_of(cls, field)


@writes
def _update(actor: Actor, core: Services, option_id: int, body: dict[str, Any]) -> tuple[OptionDef, Property]:
    require_admin(actor)
    cls, field, _ = core.classes.get_class_of_option(actor, option_id)
    _same_property(body, field)
    option = core.options.change_option(actor, cls.name, field.name, option_id, text=members.text(body, "text"),
                                        color=members.color(body))
    return option, property_of(cls, field)


@writes
def _delete(actor: Actor, core: Services, option_id: int, confirm: bool) -> None:
    require_admin(actor)
    cls, field, _ = core.classes.get_class_of_option(actor, option_id)
    core.options.delete_option(actor, cls.name, field.name, option_id, clear=confirm)


async def create_option(request: Request) -> Response:
    """O2 POST: `property` (an option or options property) and `text` required; `color` (default grey)."""
    body = await read_object(request, "Option")
    option, prop = await perform(request, _create, services(request), body)
    return json_response(_rendered(option, prop))


async def update_option(request: Request) -> Response:
    """O2 PATCH: `text` and `color`, as sent."""
    option_id = path_id(request)
    body = await read_object(request, "Option")
    option, prop = await perform(request, _update, services(request), option_id, body)
    return json_response(_rendered(option, prop))


async def delete_option(request: Request) -> Response:
    """O2 DELETE: an option records use only with `?confirm=true` (409 otherwise)."""
    option_id = path_id(request)
    await perform(request, _delete, services(request), option_id, flag_param(request, "confirm"))
    return json_response({})
