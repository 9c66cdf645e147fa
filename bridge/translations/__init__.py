"""Second-official-language content: translations of marketplace texts."""
