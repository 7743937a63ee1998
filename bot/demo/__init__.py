"""kindbot's offline demo: a scripted community of champions, played against the real bot.

- ``scenario``: scripted members acting through the Discord emulator (join, meet, record acts);
- ``process``: runs the real ``python -m bot run`` as a child process pointed at the emulator;
- ``runner``: ``kindbot demo`` itself, the weeks of the story and what it writes.

This is the only part of ``bot`` that imports the emulator (``sandbox``); the running bot
never loads it.
"""
