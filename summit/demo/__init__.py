"""Realistic demo data for trying Summit out."""
