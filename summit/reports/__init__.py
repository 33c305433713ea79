"""Reports after the summit: figures for staff and certificates for attendees."""
