"""Seed data: the demo district and generated histories, recorded through the
application's use cases like any other client."""
