"""The ``[adapters.matrix]`` table (or any table with ``type = "matrix"``)."""

from __future__ import annotations

from pydantic import SecretStr

from hatbot.adapter import AdapterConfig


class MatrixConfig(AdapterConfig):
    homeserver: str = "https://matrix.example.org"
    user_id: str = "@hatbot:example.org"
    password: SecretStr = SecretStr("")
    access_token: SecretStr = SecretStr("")
    rooms: list[str] = []
    invite_servers: list[str] = []  # accept invites from these servers (empty: our own)
    encryption: bool = True  # end-to-end encryption, when the e2e extra is installed

    def problems_when_enabled(self) -> list[str]:
        problems = []
        defaults = type(self).model_fields
        for key in ("homeserver", "user_id"):
            if getattr(self, key) == defaults[key].default:
                problems.append(f"{key}: still the example's placeholder; set your own")
        if not (self.password.get_secret_value() or self.access_token.get_secret_value()):
            problems.append("password: required, or access_token")
        return problems
