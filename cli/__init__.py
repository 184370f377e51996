"""The `ledger` command: one module per command group (see cli/main.py)."""
