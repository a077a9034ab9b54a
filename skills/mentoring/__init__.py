"""Mentoring: volunteers offer to mentor in some areas, newcomers ask for a mentor, and the
bot introduces them, best pairs first (see ``matching.py`` for the score).

The skill is in ``skill.py``, kept out of this package's ``__init__`` like the other
skills' (docs/architecture.md, "Start-up order"); its settings are in ``settings.py``.
"""
