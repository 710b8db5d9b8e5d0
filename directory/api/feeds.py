"""Open-standard feeds (filled in below)."""
