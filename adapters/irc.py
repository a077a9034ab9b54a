"""IRC. The configuration is final; the connection is issue #4 and not built yet."""

from __future__ import annotations

from pydantic import Field, SecretStr

from adapters.base import AdapterConfig, Unavailable


class IrcConfig(AdapterConfig):
    host: str = "irc.oftc.net"
    port: int = Field(default=6697, ge=1, le=65535)
    tls: bool = True
    nick: str = Field(default="hatbot", min_length=1)
    channels: list[str] = []
    sasl_username: str = ""
    sasl_password: SecretStr = SecretStr("")
    messages_per_second: float = Field(default=1.0, gt=0)
    burst: int = Field(default=4, ge=1)


class IrcAdapter(Unavailable[IrcConfig]):
    platform = "irc"
    config_model = IrcConfig
