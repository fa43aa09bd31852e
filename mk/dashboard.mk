# axe-core (npm) for the dashboard's accessibility test, tests/dashboard/test_a11y.py: it is
# injected into each page by Playwright. Installed into the virtualenv, pinned. Included by the
# Makefile.
AXE_VERSION := 4.10.3
AXE := $(VENV)/node/node_modules/axe-core/axe.min.js

.PHONY: axe

$(AXE):
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/node axe-core@$(AXE_VERSION)

axe: $(AXE)  ## install axe-core (npm) for the dashboard's accessibility test

test test-fast: $(AXE)
