"""Core objects → Tracy JSON, shallow (contract §1.4): nested objects carry their scalar members,
back-references are `null`, and nested collections are `null` unless included."""

from __future__ import annotations

from typing import Any

from objectbase.api.tracy.properties import Property, properties_of
from objectbase.api.tracy.property_types import PropertyType
from objectbase.core.fields.references import OptionDef
from objectbase.core.models import User
from objectbase.core.schema import ClassDef, StateDef

__all__ = ["render_dataset", "render_option", "render_property", "render_property_type", "render_state", "render_user"]


def render_property_type(kind: PropertyType) -> dict[str, Any]:
    return {"id": kind.id, "isAutomatic": kind.is_automatic, "isPlural": kind.is_plural,
            "isSortable": kind.is_sortable, "position": kind.position}


def render_dataset(cls: ClassDef, *, include: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`include` (contract §8.3): "states", "properties", "properties.options"; nested members'
    `dataset` is null (the back-reference)."""
    states = [render_state(s, None) for s in cls.states] if "states" in include else None
    properties = None
    if "properties" in include or "properties.options" in include:
        with_options = "properties.options" in include
        properties = [render_property(p, None, options=with_options) for p in properties_of(cls)]
    return {"id": cls.id, "name": cls.name, "isDisabled": cls.disabled, "position": cls.position, "path": cls.path,
            "states": states, "properties": properties, "representations": None}


def render_property(prop: Property, dataset: dict[str, Any] | None, *, options: bool = False) -> dict[str, Any]:
    """`options`: list the property's options (nested, so their `property` is null)."""
    listed = None
    if options:
        listed = [render_option(o, None) for o in (prop.field.options if prop.field else ())]
    return {"id": prop.id, "dataset": dataset, "propertyType": render_property_type(prop.type),
            "name": prop.name, "isUsedAsTitle": prop.title, "isRequired": prop.required,
            "parameters": prop.parameters, "position": prop.position, "options": listed}


def render_user(user: User) -> dict[str, Any]:
    return {"id": user.id, "photoFilename": None, "name": user.full_name or user.login, "email": user.email,
            "role": None, "userType": {"id": "administrator" if user.is_admin else "user"},
            "languageCode": None, "timeZone": None, "timeZoneOffset": 0, "acceptedTerms": False,
            "isSubscribedToNewsletter": False, "isDisabled": False, "tickets": None, "privileges": None,
            "notificationPreferences": None, "emailChangeTokens": None}


def render_state(state: StateDef, dataset: dict[str, Any] | None) -> dict[str, Any]:
    """`dataset`: the shallow dataset, or None where the state is nested in its dataset or a record."""
    return {"id": state.id, "dataset": dataset, "name": state.name, "color": state.color,
            "position": state.position}


def render_option(option: OptionDef, prop: dict[str, Any] | None) -> dict[str, Any]:
    """`prop`: the shallow property, or None where the option is nested in its property or a datum."""
    return {"id": option.id, "property": prop, "text": option.text, "color": option.color}

