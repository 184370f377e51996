"""Adapters of the write side: the event store wiring, the events table read by other
processes, encryption at rest, the hash chain and spreadsheets."""
