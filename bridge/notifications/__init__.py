"""Telling people what waits for them: an outbox of bilingual messages and its delivery."""
