"""Meeting schedules: the bot knows when every team meets (irc-meetings YAML, iCal feeds,
meetings declared in chat), reminds the channel before, tells the chair when a meeting
did not start, rotates chairs and publishes the calendar.

The skill is in ``skill.py``; its settings (``settings.py``) load without it.
"""
