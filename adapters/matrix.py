"""Matrix. The configuration is final; the connection is issue #6 and not built yet."""

from __future__ import annotations

from pydantic import SecretStr

from adapters.base import AdapterConfig, Unavailable


class MatrixConfig(AdapterConfig):
    homeserver: str = "https://matrix.example.org"
    user_id: str = "@hatbot:example.org"
    password: SecretStr = SecretStr("")
    access_token: SecretStr = SecretStr("")
    rooms: list[str] = []


class MatrixAdapter(Unavailable[MatrixConfig]):
    platform = "matrix"
    config_model = MatrixConfig
