"""Related data (contract §8): which relations a read embeds, read inside the read's own core call
(one transaction, one query per relation), and embedded into the rendered records.

Relations come from the core (`RecordService.relations`) and are named as DreamFactory names
them, `<target>_by_<field>`: `_parent_id` children are `<Child>_by__parent_id`, arrays; a Record
field's belongs-to is `<Target>_by_<field>`, an object or null (an array for Record[]). A reverse
has-many kind would need a branch in `_fetch` and nothing else here, since `Relation.many` already
says how an embed renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from objectbase.api.dreamfactory.params import DFRequest
from objectbase.api.dreamfactory.render import render_records
from objectbase.api.dreamfactory.schema_render import render_relation
from objectbase.api.dreamfactory.selection import NAMES, field_list, page_limit, sort_of
from objectbase.core.actor import Actor
from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.records import RecordService, RecordSet, RelatedSet
from objectbase.core.related import Relation

__all__ = ["Embed", "Reading", "RelatedAsk", "read_with_related", "related_ask", "relation_name",
           "render_with_related"]


def relation_name(relation: Relation) -> str:
    return str(render_relation(relation)["name"])


@dataclass(frozen=True)
class RelatedAsk:
    """The `related` parameter: the relations asked for (None: all of them, `*`), and the request,
    which holds each relation's own `<name>.fields|limit|order` (or `<name>_…`)."""

    names: tuple[str, ...] | None
    df: DFRequest

    def choose(self, relations: Sequence[Relation], table: str) -> list[tuple[str, Relation]]:
        by_name = {relation_name(r): r for r in relations}
        if self.names is None:
            return list(by_name.items())
        unknown = [n for n in self.names if n not in by_name]
        if unknown:
            raise UnsupportedQueryError(f"Invalid relationship '{unknown[0]}' requested for table '{table}'.",
                                        code="unknown_relation")
        return [(n, by_name[n]) for n in dict.fromkeys(self.names)]

    def query(self, name: str) -> ast.Query:
        """The relation's own selection; per related record, as for the table's own records."""
        def keys(key: str) -> tuple[str, str]:
            return f"{name}.{key}", f"{name}_{key}"
        return ast.Query(sort=sort_of(self.df, *keys("order")), limit=page_limit(self.df.integer(*keys("limit"))),
                         fields=field_list(self.df, default_all=True, names=keys("fields")), names=NAMES)


def related_ask(df: DFRequest) -> RelatedAsk | None:
    names = df.names("related")
    if not names:
        return None
    return RelatedAsk(None if "*" in names else names, df)


@dataclass(frozen=True)
class Embed:
    name: str
    relation: Relation
    found: RelatedSet


@dataclass(frozen=True)
class Reading:
    """A read's records, what is embedded in them, and the table's relations when they were needed."""

    found: RecordSet
    embeds: list[Embed]
    relations: list[Relation]


def _fetch(actor: Actor, records: RecordService, relation: Relation, sources: list[Record], query: ast.Query
           ) -> RelatedSet:
    # One branch per relation kind.
    if relation.kind == "reference":
        return records.find_referenced(actor, relation.source, sources, relation.field, query)
    return records.find_children(actor, relation.source, [r.id for r in sources], relation.target, query)


def read_with_related(actor: Actor, records: RecordService, table: str, read: Callable[[Actor], RecordSet],
                      ask: RelatedAsk | None, *, with_relations: bool = False) -> Reading:
    """The core operation of a read: `read`, then its related records, in the caller's transaction
    (run through `perform`, so the whole request is one core call)."""
    found = read(actor)
    relations = records.relations(actor, table) if ask is not None or with_relations else []
    embeds: list[Embed] = []
    if ask is not None:
        embeds = [Embed(name, relation, _fetch(actor, records, relation, found.records, ask.query(name)))
                  for name, relation in ask.choose(relations, table)]
    return Reading(found, embeds, relations)


def render_with_related(reading: Reading, records: Sequence[Record], fields: Sequence[str] | None
                        ) -> list[dict[str, Any]]:
    """`records` (some of `reading.found`'s, in any order) rendered, each with its embeds."""
    rendered = render_records(reading.found.cls, records, fields)
    for item, record in zip(rendered, records, strict=True):
        for embed in reading.embeds:
            related = render_records(embed.found.cls, embed.found.by_record.get(record.id, []), embed.found.fields)
            item[embed.name] = related if embed.relation.many else (related[0] if related else None)
    return rendered
