"""Panel accounts: local users with strong password hashes (or OIDC sign-in), and their roles."""
