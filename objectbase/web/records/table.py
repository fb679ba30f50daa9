"""The records table's view (filter, sort, page) as it travels in the URL, and the search it makes.

The filter box holds QuickBlox's search syntax as a query string (`score_value[gt]=100&game_mode_name=
classic`), read by the QuickBlox dialect's own parser; sort and paging are the table's own controls,
named as QuickBlox names them (`sort_asc`, `sort_desc`, `skip`, `limit`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import QueryParams

from objectbase.api.common.forms import parse_nested
from objectbase.api.quickblox.params import CONTROL_PARAMS, parse_search
from objectbase.core.errors import ValidationError
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef

__all__ = ["DEFAULT_LIMIT", "PAGE_SIZES", "Column", "TableView", "columns", "table_query"]

DEFAULT_LIMIT = 20
PAGE_SIZES = (20, 50, 100)
# Longer filter text is not a filter anyone types.
MAX_FILTER = 2000


@dataclass(frozen=True)
class TableView:
    """What the table shows: the filter text, the sort field and direction, and the page."""

    filter: str = ""
    sort: str = ""
    descending: bool = False
    skip: str = "0"
    limit: str = str(DEFAULT_LIMIT)

    @classmethod
    def of(cls, params: QueryParams) -> TableView:
        descending = bool(params.get("sort_desc"))
        return cls(filter=params.get("q", "").strip(),
                   sort=params.get("sort_desc", "") if descending else params.get("sort_asc", ""),
                   descending=descending, skip=params.get("skip", "0").strip() or "0",
                   limit=params.get("limit", str(DEFAULT_LIMIT)).strip() or str(DEFAULT_LIMIT))

    def query_string(self, **changes: Any) -> str:
        """This view's URL query, with `changes` (filter, sort, descending, skip, limit) applied."""
        view = replace(self, **changes)
        pairs = [("q", view.filter)] if view.filter else []
        if view.sort:
            pairs.append(("sort_desc" if view.descending else "sort_asc", view.sort))
        if view.skip not in ("", "0"):
            pairs.append(("skip", view.skip))
        if view.limit != str(DEFAULT_LIMIT):
            pairs.append(("limit", view.limit))
        return "?" + urlencode(pairs) if pairs else ""

    def sorted_by(self, name: str) -> str:
        """The query of a click on a column's header: ascending first, then the other way."""
        descending = self.sort == name and not self.descending
        return self.query_string(sort=name, descending=descending, skip="0")

    def page(self, step: int) -> str | None:
        """The query of the page `step` pages away, or None when the view's paging is not numbers."""
        if not (self.skip.isdigit() and self.limit.isdigit()):
            return None
        return self.query_string(skip=str(max(int(self.skip) + step * int(self.limit), 0)))


def _filters(text: str) -> dict[str, Any]:
    if len(text) > MAX_FILTER:
        raise ValidationError.single("filter", "invalid", f"The filter is longer than {MAX_FILTER} characters.")
    data = parse_nested(parse_qsl(text.lstrip("?"), keep_blank_values=True))
    controls = sorted(CONTROL_PARAMS & data.keys())
    if controls:
        raise ValidationError.single("filter", "invalid", f"{', '.join(controls)} is not a filter: sort with the "
                                                          "column headers and page with Previous and Next.")
    return data


def table_query(view: TableView) -> ast.Query:
    """The unbound query of the view (the core binds it to the class, and refuses unknown fields).
    Raises the parsers' errors: ValidationError or MalformedInputError."""
    data = _filters(view.filter)
    if view.sort:
        data["sort_desc" if view.descending else "sort_asc"] = view.sort
    data.update(skip=view.skip, limit=view.limit)
    search = parse_search(data)
    if search.last_only:  # limit=-1 means "the last record" to QuickBlox: not a page size
        raise ValidationError.single("limit", "invalid", "limit must be between 1 and 100")
    # The dashboard's names are the core's own: a filter on a field the class lacks is an error,
    # not a silent empty table.
    return replace(search.query, names=ast.NameRules())


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    # Whether the core can sort by it (arrays, locations and files have no order).
    sortable: bool


def columns(cls: ClassDef) -> list[Column]:
    """The table's columns: the id, every field, the state if the class has states, the owner, and
    when it last changed."""
    fields = [Column(f.name, f.name, f.type.storage != "json") for f in cls.fields.values()]
    state = [Column("_state", "state", False)] if cls.states else []
    return [Column("_id", "_id", True), *fields, *state, Column("user_id", "owner", True),
            Column("updated_at", "updated", True)]
