"""The ``[adapters.irc]`` table (or any table with ``type = "irc"``)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from hatbot.adapter import AdapterConfig


class IrcConfig(AdapterConfig):
    host: str = "irc.oftc.net"
    port: int = Field(default=6697, ge=1, le=65535)
    tls: bool = True
    tls_ca_file: str = ""  # trust this CA (PEM) instead of the system's, for private networks
    nick: str = Field(default="hatbot", min_length=1)
    channels: list[str] = []
    sasl_username: str = ""
    sasl_password: SecretStr = SecretStr("")
    messages_per_second: float = Field(default=1.0, gt=0)
    burst: int = Field(default=4, ge=1)
