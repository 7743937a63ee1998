"""Repositories: every SQL statement kindbot runs lives in this package."""
