#!/usr/bin/env bash
# Rebuilds demo-image.tar, the small image the README quickstart scans, with the local Docker
# Engine. Not needed to run the quickstart: the tar is committed.
#
# base/: a Debian 12 (bookworm) package database and os-release, taken from a
#        `debootstrap --variant=minbase bookworm` root filesystem (Debian's own data).
# app/:  lockfiles from the test corpus (see PROVENANCE.md) and a pinned requirements.txt.
set -euo pipefail
cd "$(dirname "$0")"
docker build -q -t bulwark-demo/base:1 -f Dockerfile.base .
docker build -q -t bulwark-demo/app:1 -f Dockerfile.app .
docker save -o demo-image.tar bulwark-demo/app:1
ls -l demo-image.tar
