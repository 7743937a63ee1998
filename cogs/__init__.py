"""Discord-facing features of kindbot, one feature per cog.

A cog translates interactions into calls on ``bot.services`` and renders the
answers; it holds no SQL and no business rules. What two cogs share lives in
``cogs.shared``; a cog never imports another cog's private modules.
"""
