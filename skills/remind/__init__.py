"""``!remind``: a message posted later, once (``!remind 30m``, ``!remind at``) or every
week (``!remind every``), kept across restarts. The skill is in ``skill.py``."""
