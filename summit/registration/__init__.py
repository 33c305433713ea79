"""Registration: ticket types, registrations, households, waitlist, signed QR tickets."""
