"""Discord-facing features of kindbot, one feature per cog."""
