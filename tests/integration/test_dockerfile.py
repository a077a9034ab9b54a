"""No Docker engine runs here, so the image is checked statically: hadolint and its contract."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_contract() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")):]
    user = next(line for line in final_stage if line.startswith("USER "))
    assert user.split()[1] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK") for line in final_stage)
    assert any("/healthz" in line for line in final_stage)
    assert 'CMD ["run", "--config", "/config/hatbot.toml"]' in final_stage
    assert 'ENTRYPOINT ["hatbot"]' in final_stage
