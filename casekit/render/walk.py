"""The base of every tree writer (HTML, EPUB, viewer, PDF, DOCX): one method per block
type, named ``block_<type>`` and found once per class, and what a writer leaves out.

A writer that meets a block type it has no method for fails with the writer's and the
type's names; ``unhandled()`` lists those types without rendering anything, and
``tests/test_writers.py`` requires it to be empty for every writer (and feeds every
inline type to every writer's ``inline``), so a node type added to ``tree.py`` without
a handler in every writer fails the tests, not a user's build.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, ClassVar

from casekit import tree as t

BLOCK_TYPES: tuple[type, ...] = typing.get_args(t.Block)
INLINE_TYPES: tuple[type, ...] = typing.get_args(t.Inline)


def block_method(kind: type) -> str:
    return "block_" + kind.__name__.lower()


class TreeWriter:
    #: block type -> the name of the method that writes it (made for each subclass)
    block_methods: ClassVar[dict[type, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.block_methods = {
            kind: block_method(kind) for kind in BLOCK_TYPES if hasattr(cls, block_method(kind))
        }

    def block_handler(self, block: t.Block) -> Callable[..., Any]:
        """The method that writes ``block``."""
        name = self.block_methods.get(type(block))
        if name is None:
            raise TypeError(f"{type(self).__name__} cannot write a {type(block).__name__} block")
        method: Callable[..., Any] = getattr(self, name)
        return method

    @classmethod
    def unhandled(cls) -> list[str]:
        """The block types of the tree this writer has no method for."""
        return [kind.__name__ for kind in BLOCK_TYPES if kind not in cls.block_methods]
