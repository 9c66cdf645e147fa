"""Is micro-procurement working? How long each stage takes, whom the dollars reach, and what
is stalling now, from what the bridge already holds."""
