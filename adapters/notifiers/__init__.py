"""The notifiers: where the bridge's messages go (the log, an SMTP server, GC Notify), each found
by its name in ``adapters.registry``."""
