# The docs site (docs/): Sphinx, pydata-sphinx-theme, MyST. Included by the Makefile.
#
#   make docs   build the HTML into docs/_build/html, warnings as errors

.PHONY: docs

docs: $(STAMP)  ## build the docs site into docs/_build/html (warnings are errors)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
