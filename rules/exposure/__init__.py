"""Indirect (multi-hop) exposure: taint propagated from listed addresses in block order.

One small module per taint model (:mod:`poison`, :mod:`haircut`, :mod:`fifo`), the
per-address state and its repository on the Store interface (:mod:`state`), and the
tracker that applies one transfer at a time (:mod:`tracker`). Formulas: docs/rules.md.
"""

from rules.exposure.config import ExposureConfig
from rules.exposure.result import Exposure
from rules.exposure.tracker import ExposureTracker

__all__ = ["Exposure", "ExposureConfig", "ExposureTracker"]
