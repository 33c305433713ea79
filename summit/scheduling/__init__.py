"""Scheduling: rooms, the time grid, sessions placed in cells, released versions."""
