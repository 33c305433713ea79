"""Agenda: the published programme, personal schedules and calendar feeds."""
