"""SpecEnforcingMixin: an ExtensionApp enforcing its own specs, without the dev server."""

from __future__ import annotations

from typing import Any

import pytest
from jupyter_server.serverapp import ServerApp
from tornado.httpclient import AsyncHTTPClient

from devserver.specs.enforcement import REFUSED_HEADER, spec_matchers
from devserver.specs.mixin import enforce_app_specs


@pytest.fixture(params=[True, None], ids=["enforce_specs", "default"])
def enforce_specs(request: pytest.FixtureRequest) -> bool | None:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def jp_server_config(enforce_specs: bool | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "ServerApp": {"jpserver_extensions": {"guide_spec_ext.mixin_app": True}}
    }
    if enforce_specs is not None:
        config["MixinGuideApp"] = {"enforce_specs": enforce_specs}
    return config


async def test_mixin_enforces_when_configured(
    jp_serverapp: ServerApp, http_server: Any, jp_http_port: int, jp_auth_header: dict[str, str],
    enforce_specs: bool | None,
) -> None:  # fmt: skip
    """With enforce_specs=True the app refuses what its specs refuse; by default (not the
    starter app) it enforces nothing."""
    url = f"http://127.0.0.1:{jp_http_port}{jp_serverapp.base_url}api/kernels"
    response = await AsyncHTTPClient().fetch(url, headers=jp_auth_header, raise_error=False)
    if enforce_specs:
        assert response.code == 403
        assert response.headers[REFUSED_HEADER] == "not in guide_mixin._allowed_spec"
        assert [m.enforcement.key for m in spec_matchers(jp_serverapp.web_app)] == ["guide_mixin"]
    else:
        assert response.code == 200
        assert spec_matchers(jp_serverapp.web_app) == []


@pytest.mark.parametrize("enforce_specs", [None])
def test_mixin_enforces_as_starter_app(jp_serverapp: ServerApp) -> None:
    """Launched standalone (jupyter_server's starter app), a mixin app enforces its specs."""
    manager = jp_serverapp.extension_manager
    app = manager.extension_points["guide_mixin"].app
    jp_serverapp._starter_app = app  # what ServerApp.initialize(starter_extension=...) sets
    enforcement = enforce_app_specs(app)
    assert enforcement is not None
    assert not enforcement.check("GET", jp_serverapp.base_url + "api/kernels").allowed
    assert [m.enforcement.key for m in spec_matchers(jp_serverapp.web_app)] == ["guide_mixin"]
