"""The knowledge base: questions and answers captured from chat (``!kb add``, ``!kb
capture``, ``#faq`` in meetings), reviewed before anyone is told them, found by search
(``!kb QUERY``, ``/kb/``), suggested once to whoever asks them again in a help channel,
and exported to Markdown for a docs site. The skill is in ``skill.py``."""
