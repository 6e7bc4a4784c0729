"""Parsing an XML list file with errors that name the file and line.

ElementTree from the standard library is enough for these lists (a few MB); Python's
expat refuses entity-expansion bombs since 3.7.1, so no extra hardening library is needed.
Namespaces differ between list versions, so lookups go by local name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from txmon.errors import ListFormatError


def parse(path: Path, root_name: str | tuple[str, ...]) -> ET.Element:
    """Root element of ``path``; raises ListFormatError if not XML or the wrong root."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - see module docstring
    except ET.ParseError as exc:
        raise ListFormatError(str(path), f"not well-formed XML: {exc}", exc.position[0]) from exc
    names = (root_name,) if isinstance(root_name, str) else root_name
    if local(root.tag) not in names:
        raise ListFormatError(str(path), f"root element is {local(root.tag)!r}, expected {names}")
    return root


def local(tag: str) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.rpartition("}")[2]


def children(element: ET.Element, name: str) -> list[ET.Element]:
    """Direct children with local name ``name``."""
    return [c for c in element if local(c.tag) == name]


def descendants(element: ET.Element, name: str) -> list[ET.Element]:
    """All descendants with local name ``name``, in document order."""
    return [c for c in element.iter() if local(c.tag) == name]


def text(element: ET.Element, name: str) -> str | None:
    """Stripped text of the first direct child ``name``, or None when absent or empty."""
    for child in children(element, name):
        value = (child.text or "").strip()
        return value or None
    return None
