"""Wiring: a :class:`ScreeningService` on an :class:`txmon.app.App`'s store and tag index.

Kept here rather than in txmon.app so the kernel does not import the screening extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.service import ScreeningService

if TYPE_CHECKING:
    from txmon.app import App


def open_service(app: App) -> ScreeningService:
    """The service on the app's backends; indirect exposure per the active rulebook."""
    return ScreeningService(app.store, app.tag_index, app.rulebook.exposure)
