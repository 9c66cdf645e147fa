"""GC rules: each rule is an adapter behind the interface in bridge.rules."""
