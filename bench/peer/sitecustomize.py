"""Benchmark harness only — installed into ethereum-etl's own virtualenv, never into txmon's.

ethereum-etl 2.4.2 pins parsimonious 0.8, which imports ``inspect.getargspec``; Python 3.11
removed it. Aliasing it to ``getfullargspec`` at interpreter start lets the peer's CLI run
unchanged, so that it can be benchmarked side by side with txmon.
"""

import inspect

if not hasattr(inspect, "getargspec"):
    inspect.getargspec = inspect.getfullargspec  # type: ignore[attr-defined]
