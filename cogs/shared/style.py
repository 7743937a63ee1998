"""Colours several cogs give their embeds."""

from __future__ import annotations

import discord

KIND_GREEN = discord.Colour.from_rgb(76, 175, 125)
