"""Round table 1, the needs board: cards, columns and kinds, moderation and clusters, the ranking by dots."""
