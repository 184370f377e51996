"""The `ledger` command: one module per command group, put together in cli/main.py."""
