# The docs site (docs/): Sphinx, pydata-sphinx-theme, MyST. Included by the Makefile.
#
#   make docs   build the HTML into docs/_build/html, warnings as errors

.PHONY: docs devcontainer-cli

docs: $(STAMP)  ## build the docs site into docs/_build/html (warnings are errors)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# The Dev Containers CLI (npm), which tests/ecosystem/test_devcontainer.py runs on
# .devcontainer/devcontainer.json.
DEVCONTAINER_CLI := $(VENV)/node/node_modules/.bin/devcontainer

$(DEVCONTAINER_CLI):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node @devcontainers/cli@0.89.0

devcontainer-cli: $(DEVCONTAINER_CLI)  ## install the Dev Containers CLI into .venv/node (the tests use it)
test test-fast: $(DEVCONTAINER_CLI)
