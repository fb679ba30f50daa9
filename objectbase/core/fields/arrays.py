from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["ArrayType"]


@dataclass(frozen=True)
class ArrayType(FieldType):
    """An array of a scalar type.

    Strings are comma-separated lists, also inside a list: the JS SDK sends `f[]=1,2,3` (one joined
    value) and the .NET SDK `"a,b,"`. So, as in QuickBlox, an element cannot itself contain a comma.
    """

    element: FieldType
    storage: ClassVar[str] = "json"
    is_array: ClassVar[bool] = True
    orderable: ClassVar[bool] = False

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.element.name}[]"

    def cast_value(self, value: Any) -> list[Any]:
        items: list[Any] = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                items.extend(part.strip() for part in item.split(",") if part.strip())
            else:
                items.append(item)
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
