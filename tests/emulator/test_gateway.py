"""Gateway behaviour: reconnect + RESUME, and a bot in another process."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap

from sandbox import DiscordEmulator
from tests.emulator.conftest import BotRunner


async def test_reconnect_resumes_and_replays_missed_events(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    resumed = asyncio.ensure_future(bot.wait_for("resumed"))
    await emu.gateway.disconnect(code=4000)
    # Dispatched while the bot is disconnected: must arrive through RESUME's replay.
    joined = asyncio.ensure_future(bot.wait_for("member_join"))
    dora = emu.create_member(guild, "dora")
    await asyncio.wait_for(resumed, 10)
    member = await asyncio.wait_for(joined, 5)
    assert member.id == dora.id
    assert emu.gateway.resume_count == 1 and emu.gateway.identify_count == 1


BOT_SCRIPT = textwrap.dedent(
    """
    import os, discord
    from sandbox.redirect import point_discord_at

    point_discord_at(os.environ["KINDBOT_DISCORD_API"])
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)

    @client.event
    async def on_ready():
        channel = client.get_channel(int(os.environ["CHANNEL_ID"]))
        await channel.send(f"hello from pid {os.getpid()}")
        await client.close()

    client.run(os.environ["TOKEN"], log_handler=None)
    """
)


async def test_bot_in_a_subprocess(discord_emulator: DiscordEmulator) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    general = guild.channel("general")
    env = dict(
        os.environ,
        KINDBOT_DISCORD_API=emu.api_base,
        CHANNEL_ID=str(general.id),
        TOKEN=emu.bot_token,
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BOT_SCRIPT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        msg = await emu.wait_for_message(general, within=20)
        assert msg.content == f"hello from pid {proc.pid}"
        _, stderr = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, stderr.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
