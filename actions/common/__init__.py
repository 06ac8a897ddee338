"""Names and pure helpers shared by every journey's actions."""
