"""Where award records go: a directory, an HTTPS webhook, e-mail to procurement staff (each
found by its name in ``adapters.registry``)."""
