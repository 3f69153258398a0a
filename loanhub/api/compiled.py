"""``values()`` queries by primary keys, turned into SQL once and re-run with new keys.

The lead list fetches a page's rows and their events by id on every request. Django
builds the SQL of a forty-column, five-join query afresh each time, which cost more
than PostgreSQL took to run it (with prepared statements, PostgreSQL plans it once).
``ValuesByIds`` compiles it once per database connection and number of ids, then
only swaps the ids in; Django's own converters still turn the raw values into
Python ones (JSON, decimals, time zones), so rows are exactly what ``values()``
gives (tests/loanhub/api/test_lead_rows.py compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    positions: tuple[int, ...]
    compiler: SQLCompiler
    converters: dict
    names: tuple[str, ...]


class ValuesByIds:
    """``queryset.filter(<field>__in=ids)`` as a list of dicts (or tuples), compiled once
    per connection and id count. ``field`` may be any unique key: give ``text=True``
    for a text one."""

    def __init__(self, queryset: QuerySet, field: str = "pk", *, as_tuples: bool = False, text: bool = False) -> None:
        self.queryset = queryset
        self.lookup = f"{field}__in"
        self.as_tuples = as_tuples
        self.text = text
        self._plans: dict[tuple[int, int], _Plan] = {}

    def __call__(self, ids: list[int]) -> list:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        connection = connections[self.queryset.db]
        key = (id(connection), len(ids))
        plan = self._plans.get(key)
        if plan is None or plan.compiler.connection is not connection:
            plan = self._plans[key] = self._compile(connection, len(ids))
        params = list(plan.params)
        for position, value in zip(plan.positions, ids, strict=True):
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        if self.as_tuples:
            return [tuple(row) for row in rows]
        return [dict(zip(plan.names, row, strict=True)) for row in rows]

    def _compile(self, connection, count: int) -> _Plan:  # noqa: ANN001
        # Stand-ins no row has (negative ids, texts no key looks like), each findable in params.
        stand_ins = [f"~stand-in {n}~" if self.text else -n for n in range(1, count + 1)]
        query = self.queryset.filter(**{self.lookup: stand_ins}).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = tuple(params)
        positions = tuple(params.index(value) for value in stand_ins)
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
        return _Plan(sql, params, positions, compiler, compiler.get_converters(fields), names)
