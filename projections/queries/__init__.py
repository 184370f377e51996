"""Reports answered straight from the read-model tables, on either database."""
