"""Plain-Python core of the support assistant.

Answers questions about time and channels — what is open now, when a channel
opens next, which channel fits a request, how urgent a reported problem is —
as pure functions of the schedule data, the request and an aware datetime.

This package never imports ``rasa`` or ``rasa_sdk`` (a test walks its imports),
and never reads the clock: callers pass the moment in.
"""
