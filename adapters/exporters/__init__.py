"""Export formats of award records: proactive disclosure and Open Contracting."""
