"""Matrix: the adapter (``adapter``), its table (``config``), which room a name means
(``rooms``), and the event contents it sends (``content``)."""

from hatbot.adapters.matrix.adapter import ENCRYPTED_NOTICE, PLATFORM, MatrixAdapter
from hatbot.adapters.matrix.config import MatrixConfig

__all__ = ["ENCRYPTED_NOTICE", "PLATFORM", "MatrixAdapter", "MatrixConfig"]
