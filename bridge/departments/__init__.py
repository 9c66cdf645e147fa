"""GC departments: who an opportunity belongs to, and whom an approver may decide for."""
