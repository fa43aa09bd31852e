# npm tools the tests run, pinned in tests/node-tools.json and installed together into .venv/node:
# axe-core (tests/dashboard/test_a11y.py injects it into each page) and the Dev Containers CLI
# (tests/ecosystem/test_devcontainer.py). One install from one package.json: a second `npm
# install` into the same prefix would prune whatever the first one put there. Included by the
# Makefile.
NODE_TOOLS := $(VENV)/node/.installed

.PHONY: node-tools

$(NODE_TOOLS): tests/node-tools.json
	mkdir -p $(VENV)/node
	cp tests/node-tools.json $(VENV)/node/package.json
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node
	touch $@

node-tools: $(NODE_TOOLS)  ## install the npm tools the tests run (axe-core, Dev Containers CLI) into .venv/node

test test-fast: $(NODE_TOOLS)
