"""Everything between a feed URL and a stored, classified story."""
