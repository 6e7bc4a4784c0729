"""``python -m txmon`` runs the CLI (same as the ``txmon`` console script)."""

from txmon.cli import main

main()
