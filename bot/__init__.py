"""kindbot: a Discord bot for Kindness Champions communities.

What lives where in this package (the product; the emulator is the separate ``sandbox``):

- ``settings``: typed settings from the environment or ``.env``, checked at start-up;
- ``db/``: the SQLite connection, the migration runner and backups;
- ``repos/``: every SQL statement, one repository per feature;
- ``services/``: the domain: pure and deterministic, with an injected clock and seeded
  randomness, and no Discord types (``pairing/`` is the matching engine);
- ``scheduler/``: jobs that take effect once per (server, job, period), with catch-up,
  resumable steps and the delivery ledger for posts and DMs;
- ``wiring``: builds the ``Services`` container the bot is handed;
- ``core``: the ``KindBot`` client (start-up order, persistent views, command sync);
- ``interaction``, ``ui``, ``errors``, ``checks``: what every cog uses to talk to members;
- ``text``: the message catalogue read from ``prompts/``;
- ``endpoint``: points discord.py at ``KINDBOT_DISCORD_API`` (tests and the demo);
- ``cli/``: every command-line front end (``kindbot run|sync|health|db|pair|report|demo|content``);
- ``demo/``: the offline demo and the bot-process runner, the only code that uses ``sandbox``.
"""

__version__ = "0.1.0"
