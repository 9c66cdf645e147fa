"""Database infrastructure shared by every domain: types, engine, migrations."""
