"""Packaging glue pyproject.toml cannot state: a wheel carries the
repository's ``rules/`` and ``schema.yaml`` inside the package, as
``kb/_data/``, where an installed kb finds them (:func:`kb.paths.data_dir`).
They stay at the repository root in the source tree; MANIFEST.in puts them
in the source distribution."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithData(build_py):
    """build_py, then copy rules/*.yaml and schema.yaml into kb/_data/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout itself
            return
        target = Path(self.build_lib) / "kb" / "_data"
        shutil.rmtree(target, ignore_errors=True)  # a rule file removed since the last build must go
        (target / "rules").mkdir(parents=True)
        shutil.copy2(HERE / "schema.yaml", target / "schema.yaml")
        for rule_file in sorted((HERE / "rules").glob("*.yaml")):
            shutil.copy2(rule_file, target / "rules" / rule_file.name)


setup(cmdclass={"build_py": BuildPyWithData})
