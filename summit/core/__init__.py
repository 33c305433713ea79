"""Domain-free plumbing shared by every domain package."""
