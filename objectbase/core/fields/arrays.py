from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["ArrayType"]


@dataclass(frozen=True)
class ArrayType(FieldType):
    """An array of a scalar type. A single string is a comma-separated list (as QuickBlox clients send)."""

    element: FieldType
    storage: ClassVar[str] = "json"
    is_array: ClassVar[bool] = True
    orderable: ClassVar[bool] = False

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.element.name}[]"

    def cast_value(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            items: list[Any] = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, list):
            items = value
        else:
            items = [value]
        try:
            return [self.element.cast_value(item) for item in items if item is not None]
        except CastError as error:
            raise CastError(f"has an element that {error}") from None

    def cast_element(self, value: Any) -> Any:
        return self.element.cast_value(value)

    def to_json(self, stored: Any) -> Any:
        if stored is None:
            return None
        return [self.element.to_json(item) for item in stored]
