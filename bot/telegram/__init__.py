"""The Telegram layer: updates in, engine answers out as messages and buttons.

`app` builds the python-telegram-bot Application (polling or webhook, the paced rate limiter,
start-up retries, SIGHUP reload); `handlers` turns updates into engine calls; `addressing`
decides which group messages are for the bot and keeps per-chat backlogs; `send` formats
answers as HTML with buttons; `redact` keeps secrets out of the logs. It uses the engine only
through `bot.engine`'s public names.
"""
