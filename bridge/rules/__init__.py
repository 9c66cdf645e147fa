"""The GC rule pipeline: rules (adapters) judge opportunities; findings are kept per version."""
