"""Awards beyond what the marketplace knows: amendments recorded by procurement staff."""
