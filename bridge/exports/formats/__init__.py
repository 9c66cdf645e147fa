"""The formats award records are published in: the proactive disclosure of contracts (the
Treasury Board's tables and code lists) and the Open Contracting Data Standard.

They are part of the exports domain, not adapters: the GC fixes them (the portal's tables, OCDS
1.1), every deployment publishes both, and the outbox, the packages and the reports are built
around what each requires. Where records go (sinks) and how people are told (notifiers) vary by
deployment, and those are the adapters.
"""
