"""Discord helpers the feature cogs share: safe display, roles and notices."""
