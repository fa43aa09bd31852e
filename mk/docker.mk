# The dev server in a container (docs/container.md). Included by the Makefile.
#
#   make up        build the image with your UID/GID and start the dev server (detached, waits until healthy)
#   make down      stop and remove the container and its network
#   make logs      follow the supervisor's log
#   make image     build the image only
#   make docker-engine   start a Docker engine + Compose v2 if none answers (installs them as root on Debian)
#
# OFFLINE=1 builds without the package index: a debootstrap base image and a host-built wheelhouse.

COMPOSE ?= docker compose
# Files the server writes into the mounted folder should be yours; root on the host maps to 1000.
DEVSERVER_UID ?= $(shell u=$$(id -u); [ "$$u" = 0 ] && echo 1000 || echo $$u)
DEVSERVER_GID ?= $(shell g=$$(id -g); [ "$$g" = 0 ] && echo 1000 || echo $$g)
export DEVSERVER_UID DEVSERVER_GID

ifeq ($(OFFLINE),1)
# Computed when a recipe runs, not when the Makefile is read: base-image.sh may take a minute.
# Each recipe line stops at base-image.sh's first error (a failed $$(...) alone would not).
OFFLINE_ENV = base=$$(docker/base-image.sh) || exit 1; DEVSERVER_BASE_IMAGE=$$base \
	DEVSERVER_PIP_ARGS="--no-index --find-links /wheelhouse" DEVSERVER_BUILD_ISOLATION=0
OFFLINE_PREP = python=$$(docker/base-image.sh --python) || exit 1; docker/wheelhouse.sh "$$python"
else
OFFLINE_ENV =
OFFLINE_PREP = true
endif

.PHONY: docker-engine image up down logs

docker-engine:  ## start a Docker engine and Compose v2 if none answers (installs them as root)
	docker/engine.sh

.env:
	@sed "s/^JUPYTER_TOKEN=$$/JUPYTER_TOKEN=$$(python3 -c 'import secrets; print(secrets.token_hex(24))')/" \
		.env.example > $@
	@echo "wrote .env with a new JUPYTER_TOKEN"

image: .env  ## build the dev server's image with your UID/GID (OFFLINE=1: no package index)
	$(OFFLINE_PREP)
	$(OFFLINE_ENV) $(COMPOSE) build

up: image  ## docker compose up: the dev server in a container, sources bind-mounted
	$(OFFLINE_ENV) $(COMPOSE) up -d --wait
	@. ./.env; echo "dashboard: http://127.0.0.1:$${DEVSERVER_PORT:-8888}$${DEVSERVER_BASE_URL:-/}_introspect?token=$$JUPYTER_TOKEN"
	@echo "logs: make logs    stop: make down    reload from the host: $(BIN)/devserver reload NAME"

# compose.yaml requires a token even to stop or read logs; any value does for those.
down:  ## stop and remove the dev server's container
	JUPYTER_TOKEN=$${JUPYTER_TOKEN:-unused} $(COMPOSE) down --remove-orphans

logs:  ## follow the dev server's log in the container
	JUPYTER_TOKEN=$${JUPYTER_TOKEN:-unused} $(COMPOSE) logs -f devserver
