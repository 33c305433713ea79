"""People: accounts, sign-up, log-in, profiles, API tokens."""
