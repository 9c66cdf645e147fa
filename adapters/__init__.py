"""GC-specific pieces behind small interfaces: rules, exporters, delivery sinks and notifiers."""
