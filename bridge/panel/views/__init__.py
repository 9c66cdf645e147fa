"""One blueprint per area of the panel."""
