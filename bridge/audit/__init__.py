"""The append-only, tamper-evident audit log of every change made through the panel or a job."""
