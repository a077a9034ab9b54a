"""The process fixtures of the integration tests, for attacks on a running ``hatbot``."""

from tests.integration.conftest import launch

__all__ = ["launch"]
