"""Storage plumbing the stores share (the question log, admin overlays, conversation context):
`bot.storage.pg` opens PostgreSQL connection pools, applies each store's versioned migrations
and carries LISTEN/NOTIFY between replicas, for a deployment whose `BOT_DB` is a
`postgresql://` URL. It knows nothing of Telegram, the engine or the content."""
