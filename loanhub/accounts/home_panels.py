"""The back office's home page per role: panels that each app adds through Wagtail's
``construct_homepage_panels`` hook, all drawn by one template (counts that link to the
list they count, and an optional table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wagtail.admin.ui.components import Component


@dataclass(frozen=True)
class Tile:
    """One count on a panel; ``url`` opens the list of exactly what it counts."""

    label: str
    count: int
    url: str
    alert: bool = False  # drawn in red when count > 0 (overdue, due)


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]  # cells; a (text, url) pair is drawn as a link
    numeric: Sequence[int] = field(default_factory=tuple)  # right-aligned columns


class HomePanel(Component):
    template_name = "wagtailadmin/home/loanhub_panel.html"

    def __init__(
        self, *, name: str, title: str, order: int, tiles: Sequence[Tile] = (), table: Table | None = None,
        note: str = "",
    ) -> None:  # fmt: skip
        self.name = name
        self.title = title
        self.order = order
        self.tiles = list(tiles)
        self.table = table
        self.note = note

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        return {"panel": self}
