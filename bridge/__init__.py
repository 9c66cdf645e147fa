"""GC micro-procurement bridge: syncs a BC Digital Marketplace fork and adds the GC rules."""

__version__ = "0.1.0"
