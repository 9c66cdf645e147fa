"""Award records and their export to GC procurement and open-data formats."""
