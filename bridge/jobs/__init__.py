"""The top of the bridge: the jobs that run it and their order.

A run syncs the marketplace, then judges what changed (rules), moves approval requests, lets the
guard act, writes back to the marketplace (notes, publication, cancellation); beside the runs,
the scheduler sends notifications and delivers exports. Everything here calls down into the
domain packages and wires in the adapters; nothing below imports this package.
"""
