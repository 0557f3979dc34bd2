"""Things found by module and registered by name: the one mechanism behind the pattern packages.

Each layer keeps its own registry of one kind of thing (core: a pattern's rules, runtime: its
compile function, ui: its editor), filled by the modules of a package as they are imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Generic, Iterable, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Items by key; registering a key twice is a programming error, caught at import."""

    def __init__(self, what: str) -> None:
        #: What the items are, for the error message ("compile function", "editor", ...).
        self.what = what
        self._items: dict[str, T] = {}

    def add(self, key: str, item: T) -> None:
        if key in self._items:
            raise ValueError(f"pattern {key!r} has two {self.what}s")
        self._items[key] = item

    def register(self, key: str) -> Callable[[T], T]:
        """Decorator: the decorated object is the item for ``key``."""

        def add(item: T) -> T:
            self.add(key, item)
            return item

        return add

    def __getitem__(self, key: str) -> T:
        return self._items[key]

    def items(self) -> dict[str, T]:
        """A copy, in registration order."""
        return dict(self._items)


def import_submodules(package: str, path: Iterable[str]) -> None:
    """Import every module of a package (``__name__``, ``__path__``), so each registers itself."""
    for info in pkgutil.iter_modules(path):
        importlib.import_module(f"{package}.{info.name}")
