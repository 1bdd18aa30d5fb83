"""Drive the oras Python SDK (a real OCI artifact client) against the test registry.

usage: oras_client.py push HOST USER PASSWORD WORKDIR TAG FILE MEDIA_TYPE CONFIG_TYPE [SUBJECT_DIGEST SUBJECT_SIZE]
       oras_client.py pull HOST USER PASSWORD WORKDIR TAG OUTDIR
"""
import os
import sys

import oras.oci
from oras.client import OrasClient

import oras.auth.token as token_auth

# oras-py answers a 401 by resending the token it already holds, even when the challenge says
# error="insufficient_scope" (its pull-only token from the first HEAD cannot push). Ask for a
# new token in that case, as Docker and containers/image do.
_authenticate = token_auth.TokenAuth.authenticate_request


def _authenticate_fresh(self, original, headers, refresh=False):
    if "insufficient_scope" in original.headers.get("Www-Authenticate", ""):
        refresh = True
    return _authenticate(self, original, headers, refresh)


token_auth.TokenAuth.authenticate_request = _authenticate_fresh

mode, host, user, password, work, tag = sys.argv[1:7]
client = OrasClient(hostname=host, insecure=True)
client.login(username=user, password=password, hostname=host)
os.chdir(work)
target = f"{host}/orp/app:{tag}"
if mode == "push":
    path, media_type, config_type = sys.argv[7:10]
    subject = None
    if len(sys.argv) > 10:
        subject = oras.oci.Subject("application/vnd.oci.image.manifest.v1+json", sys.argv[10], int(sys.argv[11]))
    with open("config.json", "w") as f:
        f.write("{}")
    resp = client.push(
        files=[f"{path}:{media_type}"],
        target=target,
        manifest_config=f"config.json:{config_type}",
        subject=subject,
        do_chunked=True,
        chunk_size=4096,
    )
    print(resp.status_code)
else:
    outdir = sys.argv[7]
    for p in client.pull(target=target, outdir=outdir):
        print(p)
