"""The service and its tables (contract §5 L1–L3) and the schema endpoints (§10), through the core's
class management, so the CLI, QuickBlox and DreamFactory see one schema.

Reading needs read access to a class; writing needs the admin actor (the app's API key given as the
app key). PUT and PATCH only add fields or change their flags: a PUT leaving out a field, a type
change and DELETE of a field are refused with 400, so no stored value is dropped by this API.
"""

from __future__ import annotations

from typing import Any, Sequence

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import actor, services
from objectbase.api.dreamfactory.params import DFRequest, read_request
from objectbase.api.dreamfactory.schema_input import field_specs, table_name, table_specs
from objectbase.api.dreamfactory.tables import require_service
from objectbase.api.dreamfactory.schema_render import (
    render_field, render_system_field, render_table, table_access, table_plural,
)
from objectbase.api.dreamfactory.surfaces import LEGACY, Surface
from objectbase.core.actor import Actor
from objectbase.core.classes import ClassService
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.related import relations_of
from objectbase.core.schema import SYSTEM_FIELDS, ClassDef, FieldSpec
from objectbase.core.unit_of_work import writes

__all__ = [
    "create_tables", "delete_field", "delete_table", "describe_service", "get_field", "get_schema",
    "get_table", "legacy_list_tables", "list_tables", "require_service", "update_field", "update_table",
    "update_tables",
]





def _schema_wrapper(surface: Surface) -> str:
    # 1.x wrapped table objects in "table"; v2 in its resource wrapper.
    return "table" if surface is LEGACY else surface.wrapper


def _tables_in(df: DFRequest) -> tuple[list[Any], bool]:
    """The table objects of a write body, and whether it was one bare object (answered unwrapped)."""
    wrapped = df.records if df.records is not None else df.body.get("table")
    if wrapped is not None:
        if not isinstance(wrapped, list) or not wrapped:
            raise ValidationError.single("table", "blank", "No table(s) detected in request.")
        return wrapped, False
    if df.body.get("name") is not None:
        return [df.body], True
    raise ValidationError.single("table", "blank", "No table(s) detected in request.")


def _names(classes: list[ClassDef], single: bool, wrapper: str) -> dict[str, Any]:
    names = [{"name": c.name} for c in classes]
    return names[0] if single else {wrapper: names}


# -- listings (L1–L3) -------------------------------------------------------------------------

async def describe_service(request: Request) -> Response:
    """L1: the resources of the service (authenticated like any request)."""
    require_service(request)
    await perform(request, services(request).classes.find_classes)
    return json_response({"resource": [{"name": "_schema"}, {"name": "_table"}]})


async def list_tables(request: Request) -> Response:
    """L2 (v2 `_table`) and GET {S} without `names`: the tables the actor may read."""
    df = await read_request(request)
    require_service(request)
    names = df.names("names")
    classes = await perform(request, services(request).classes.find_classes)
    if names is not None:
        return _described(request, df, classes, names)
    if df.flag("as_list"):
        return json_response({"resource": [c.name for c in classes]})
    wanted = df.names("fields", "select")
    entries = [{"name": c.name, "label": c.name} for c in classes]
    if wanted and "*" not in wanted:
        entries = [{k: v for k, v in e.items() if k in wanted} for e in entries]
    return json_response({"resource": entries})


def _described(request: Request, df: DFRequest, classes: list[ClassDef], names: tuple[str, ...]) -> Response:
    by_name = {c.name: c for c in classes}
    for name in names:
        if name not in by_name:
            raise NotFoundError(code="class_not_found", details={"class": name})
    tables = [render_table(by_name[n], actor(request), relations_of(by_name[n], classes)) for n in names]
    return json_response({_schema_wrapper(df.surface): tables})


async def legacy_list_tables(request: Request) -> Response:
    """L3 (`GET /rest/{service}`): the tables with their label, plural and the verbs the actor may use."""
    df = await read_request(request)
    require_service(request)
    classes = await perform(request, services(request).classes.find_classes)
    if df.flag("names_only"):
        return json_response({"resource": [c.name for c in classes]})
    who = actor(request)
    return json_response({"resource": [
        {"name": c.name, "label": c.name, "plural": table_plural(c.name), "access": table_access(who, c)}
        for c in classes]})


get_schema = list_tables


# -- {S} writes -------------------------------------------------------------------------------

async def create_tables(request: Request) -> Response:
    df = await read_request(request)
    require_service(request)
    raw, single = _tables_in(df)
    created = await perform(request, services(request).classes.create_classes, table_specs(raw))
    return json_response(_names(created, single, _schema_wrapper(df.surface)))


async def update_tables(request: Request) -> Response:
    """PUT/PATCH {S}: fields added to existing tables; a PUT must list every field (no removal)."""
    df = await read_request(request)
    require_service(request)
    raw, single = _tables_in(df)
    changes = {table_name(t): field_specs(table_name(t), t.get("field")) for t in raw}
    updated = await perform(request, services(request).classes.add_fields, changes,
                            complete=request.method == "PUT")
    return json_response(_names(updated, single, _schema_wrapper(df.surface)))


# -- {S}/{table} ------------------------------------------------------------------------------

def _table(request: Request) -> str:
    require_service(request)
    return str(request.path_params["table"])


def _readable_and_all(actor: Actor, classes: ClassService, name: str) -> tuple[ClassDef, list[ClassDef]]:
    """The class (if the actor may read it) and every class it may read, which its relations name."""
    return classes.get_readable_class(actor, name), classes.find_classes(actor)


async def get_table(request: Request) -> Response:
    await read_request(request)
    cls, classes = await perform(request, _readable_and_all, services(request).classes, _table(request))
    return json_response(render_table(cls, actor(request), relations_of(cls, classes)))


async def update_table(request: Request) -> Response:
    df = await read_request(request)
    name = _table(request)
    raw = df.single if df.single is not None else (df.records[0] if df.records else {})
    if not isinstance(raw, dict):
        raise ValidationError.single("table", "invalid", "must be a table object")
    updated = await perform(request, services(request).classes.add_fields,
                            {name: field_specs(name, raw.get("field"))}, complete=request.method == "PUT")
    return json_response({"name": updated[0].name})


async def delete_table(request: Request) -> Response:
    await read_request(request)
    dropped = await perform(request, services(request).classes.delete_class, _table(request))
    return json_response({"name": dropped.name})


# -- {S}/{table}/{field} ----------------------------------------------------------------------

def _field_of(cls: ClassDef, name: str, classes: Sequence[ClassDef]) -> dict[str, Any]:
    """The field's schema; `classes` name a Record field's target."""
    if name in SYSTEM_FIELDS:
        return render_system_field(name)
    field = cls.fields.get(name) or next((f for f in cls.fields.values() if f.name.lower() == name.lower()), None)
    if field is None:
        raise NotFoundError(code="field_not_found", details={"class": cls.name, "field": name})
    return render_field(field, next((c.name for c in classes if c.id == field.target_class_id), None))


@writes
def _add_fields_and_list(actor: Actor, classes: ClassService, name: str, specs: Sequence[FieldSpec]
                         ) -> tuple[ClassDef, list[ClassDef]]:
    """Add or re-flag the fields, then every class the actor may read (a Record field's target)."""
    return classes.add_fields(actor, {name: specs})[0], classes.find_classes(actor)


async def get_field(request: Request) -> Response:
    await read_request(request)
    cls, classes = await perform(request, _readable_and_all, services(request).classes, _table(request))
    return json_response(_field_of(cls, str(request.path_params["field"]), classes))


async def update_field(request: Request) -> Response:
    """Add the field, or change its index/required flags; another type is refused (400)."""
    df = await read_request(request)
    name, field_name = _table(request), str(request.path_params["field"])
    raw = dict(df.single or df.body)
    raw["name"] = field_name  # the URL names the field; a type is needed even to re-flag it
    updated, classes = await perform(request, _add_fields_and_list, services(request).classes, name,
                                     field_specs(name, [raw]))
    return json_response(_field_of(updated, field_name, classes))


async def delete_field(request: Request) -> Response:
    await read_request(request)
    # Never returns: without `drop_data` the core refuses every field removal (or answers 403/404 first).
    await perform(request, services(request).classes.delete_field, _table(request),
                  str(request.path_params["field"]))
    raise AssertionError("the core drops a field only when asked to drop its values")
