"""Runs on the host and in the image build: print what the image installs, one requirement a line.

The project's dependencies come from pyproject.toml, so the image installs them in a layer of
their own (cached until pyproject.toml changes) and docker/wheelhouse.sh builds exactly these.
IMAGE_EXTRAS are what the container needs beyond the package: setuptools and wheel to install the
mounted extensions editable without reaching the index, and ipykernel so that kernels can run.
Usage: python3 docker/requirements.py [pyproject.toml]
"""

import sys
import tomllib

IMAGE_EXTRAS = ["setuptools>=68", "wheel", "ipykernel>=6"]

with open(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml", "rb") as f:
    print("\n".join([*tomllib.load(f)["project"]["dependencies"], *IMAGE_EXTRAS]))
