"""Custom Rasa components (loaded by the Rasa server, not the action server)."""
