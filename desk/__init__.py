"""The built-in human agent desk: a small web app with its own SQLite database.

The bot hands a conversation over through the signed webhook of
docs/agent-desk-api.md; agents sign in, see the queue and the packet, take the
conversation (the bot is paused), reply live over the customer's socket.io
channel, and hand it back or close it, all through Rasa's HTTP API.

    python -m desk                      # run the desk (configuration: desk/config.py, docs/agent-desk.md)
    python -m desk add-agent ana --name "Ana" --role "asesora de soporte"
"""
