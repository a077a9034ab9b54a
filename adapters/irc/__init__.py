"""IRC: the adapter (``adapter``), its table (``config``), capability negotiation and SASL
(``caps``), and who is where and logged in as whom (``roster``).

Identity: where the server offers ``account-tag``, ``extended-join`` or
``account-notify``, a person's ``account`` is their services account (and nobody who
is not logged in has one). Where it offers none of them, the nick is all there is, and
``account`` is the nick: admin rights then rest on the nick.
"""

from hatbot.adapters.irc.adapter import PLATFORM, IrcAdapter
from hatbot.adapters.irc.config import IrcConfig

__all__ = ["PLATFORM", "IrcAdapter", "IrcConfig"]
