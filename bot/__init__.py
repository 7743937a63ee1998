"""kindbot: a Discord bot for Kindness Champions communities."""

__version__ = "0.1.0"
