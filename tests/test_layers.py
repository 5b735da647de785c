"""The layering (README, "Layout") is checked by import-linter, not by memory.

These tests run `lint-imports` with the project's own contract from pyproject.toml: on the real
tree it holds; on a tiny tree of empty packages with the same names, one import that points up
breaks it, with a message naming the import.
"""

import os
import subprocess
import sys
import tomllib
from itertools import pairwise
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _layers() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = (c for c in config["contracts"] if c["type"] == "layers")
    return contract["layers"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _fake_tree(tmp_path: Path, imports: dict[str, str]) -> Path:
    """Our packages, empty, with the real pyproject.toml; `imports` maps a module to write
    (e.g. "core.bad") to the module it imports."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.read_text())
    for package in _layers():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "models.py").write_text("")
    for importer, imported in imports.items():
        path = tmp_path.joinpath(*importer.split(".")).with_suffix(".py")
        path.write_text(f"import {imported}\n")
    return tmp_path


def test_every_app_of_ours_is_in_the_layers_contract():
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
    }
    assert "core" in ours
    assert ours <= set(_layers())
    assert _layers()[0] == "mentorship"
    assert _layers()[-1] == "core"


def test_the_project_imports_only_down_the_layers():
    result = _lint_imports(Path(settings.BASE_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_imports_down_the_layers_keep_the_contract(tmp_path):
    layers = _layers()
    downward = {f"{upper}.uses": f"{lower}.models" for upper, lower in pairwise(layers)}
    downward["mentorship.uses_all"] = ", ".join(f"{p}.models" for p in layers[1:])
    result = _lint_imports(_fake_tree(tmp_path, downward))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("core.bad", "accounts.models"),
        ("notifications.bad", "cohorts.models"),
        ("applications.bad", "matching.models"),
        ("matching.bad", "meetings.models"),
        ("meetings.bad", "mentorship.models"),
    ],
)
def test_an_import_that_points_up_breaks_the_contract(tmp_path, importer, imported):
    result = _lint_imports(_fake_tree(tmp_path, {importer: imported}))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout
    lower, upper = importer.split(".")[0], imported.split(".")[0]
    assert f"{lower} is not allowed to import {upper}" in result.stdout
    assert f"{importer} -> {imported} (l.1)" in result.stdout
