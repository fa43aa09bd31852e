"""Runs in the container as its HEALTHCHECK: exit 0 when the running server answers its API.

It asks ``{base_url}api/status`` on the server's own port with the server's token, so it checks the
port, the base URL and authentication that clients use, not merely that a process exists.
"""

import os
import sys
import urllib.request

port = os.environ.get("DEVSERVER_PORT", "8888")
base_url = "/" + os.environ.get("DEVSERVER_BASE_URL", "/").strip("/") + "/"
url = f"http://127.0.0.1:{port}{base_url.replace('//', '/')}api/status"
request = urllib.request.Request(
    url, headers={"Authorization": f"token {os.environ.get('JUPYTER_TOKEN', '')}"}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (a fixed http URL)
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:  # URLError and HTTPError are OSErrors
    print(f"{url}: {error}", file=sys.stderr)
    sys.exit(1)
