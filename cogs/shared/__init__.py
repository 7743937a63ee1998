"""What the feature cogs share; it never imports a feature cog.

What lives where:

- ``act_form``: the act-of-kindness form (kindness and coffee open it);
- ``channels``: the channel a server set for a purpose;
- ``choices``: autocomplete choices several commands offer;
- ``delivery``: job posts and DMs that exist once, found again in history after a restart;
- ``display``: member-written text shown safely;
- ``fields``: long lists in embeds, split to stay within Discord's limits;
- ``forms``: the visibility and condition menus of the kindness and reflection forms;
- ``guild``: the one guard for "this needs a server", for commands and for jobs;
- ``notices``: telling coordinators in their log channel;
- ``pick_list``: a member's own entries, with Edit and Delete;
- ``regroup``: the menu that asks a champion to choose again after their group was removed;
- ``posts``: posts one cog sends and another cog's persistent buttons answer;
- ``report_files``: the funders' report as attachments (``/impact`` and the quarterly post);
- ``roles``: giving and taking roles, with a fix when that fails;
- ``style``: colours several cogs use;
- ``threads``: finding the meeting threads the bot already made (coffee and programmes);
- ``welcome``: the join button's id in invitation DMs, which carries the server.
"""
