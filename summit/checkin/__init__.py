"""Check-in: checkpoints, append-only scans, the guarantee of one admission per ticket."""
