"""Summits, their tracks (framework topics) and per-summit roles."""
