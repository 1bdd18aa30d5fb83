#!/usr/bin/env bash
# Builds the all-ecosystems test image `bulwark-test/all-ecosystems:1` with the local Docker
# Engine (no pulls) and saves it as a docker archive.
#
#   tests/images/build-all-ecosystems.sh [OUTPUT.tar]
#
# OUTPUT defaults to $HOME/.cache/bulwark-tests/all-ecosystems.tar. Next to it the script
# writes OUTPUT.inputs (the hash of its inputs: skip the build when it matches and the tar
# exists) and OUTPUT.facts.json (facts of the build that the tests need: the Go toolchain
# version embedded in the Go binary).
#
# Base: the debootstrap'd bookworm root filesystem at
# ${BULWARK_DEBIAN_ROOTFS:-$HOME/.cache/bulwark-tests/bookworm-rootfs} imported as
# `bulwark-test/bookworm-base:1` (one layer). On top, all-ecosystems/Dockerfile adds one layer
# per ecosystem, each a COPY of a root-shaped tree prepared here on the host:
#   - a Debian package (python3-six, via `apt-get download`) installed with dpkg: OS-owned
#     files that look like a Python distribution;
#   - Python: PyPI distributions installed with `pip install --no-deps --target`;
#   - Node.js: the hand-written node_modules tree and package-lock.json in all-ecosystems/node;
#   - Java: jars and a war made with javac/jar, carrying pom.properties (all-ecosystems/java);
#   - Rust: a program built with `cargo auditable build --release --locked`, plus Cargo.lock;
#   - Go: a program built with the host's Go (no dependencies), -X main.version=1.2.3;
#   - Ruby gemspecs and a Gemfile.lock, PHP installed.json, a .NET deps.json (hand-written).
# Generated binaries and archives never enter git: they are built under a cache directory.
#
# Needs: docker, python3 + pip (PyPI reachable), cargo + cargo-auditable (crates.io reachable),
# go, javac + jar, apt-get, the rootfs above.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$here/all-ecosystems"
cache="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}"
rootfs="${BULWARK_DEBIAN_ROOTFS:-$cache/bookworm-rootfs}"
out="${1:-$cache/all-ecosystems.tar}"
image="bulwark-test/all-ecosystems:1"
base="bulwark-test/bookworm-base:1"

die() { echo "build-all-ecosystems: $*" >&2; exit 1; }
for tool in docker python3 cargo go javac jar apt-get sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"
done
cargo auditable --version >/dev/null 2>&1 || die "missing tool: cargo-auditable (cargo install cargo-auditable)"
[ -f "$rootfs/var/lib/dpkg/status" ] || die "no Debian rootfs at $rootfs (scripts/install-test-deps.sh makes it)"

# Test processes run in parallel (nextest runs each test in its own process) and each asks for
# the image: one builds, the others wait on this lock and then find it cached.
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9

# The inputs: every file of tests/images (paths and contents) and the rootfs's dpkg database.
inputs=$(
  cd "$here"
  {
    find . -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum <"$rootfs/var/lib/dpkg/status"
  } | sha256sum | cut -d' ' -f1
)
if [ -f "$out" ] && [ -f "$out.inputs" ] && [ "$(cat "$out.inputs")" = "$inputs" ] && [ -f "$out.facts.json" ]; then
  # Cached. The engine may have lost the image (pruned, new daemon): load it back.
  docker image inspect "$image" >/dev/null 2>&1 || docker load -q -i "$out" >/dev/null
  echo "$out (cached)"
  exit 0
fi

mkdir -p "$(dirname "$out")" "$cache/all-ecosystems-work"
work=$(mktemp -d "$cache/all-ecosystems-work/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
ctx="$work/ctx"
mkdir -p "$ctx"
cp "$src/Dockerfile" "$ctx/Dockerfile"

# --- base layer -------------------------------------------------------------------------------
# Re-imported on every build so the base always matches the rootfs the tests compare with.
# `docker import` records no CMD step in the history; a metadata-only `CMD` on top (as the
# official Debian images end with) marks where the base image ends, still one layer.
tar -C "$rootfs" --numeric-owner -cf - . | docker import \
  -m "debootstrap --variant=minbase bookworm" - bulwark-test/bookworm-rootfs:1 >/dev/null
mkdir -p "$work/base"
printf 'FROM bulwark-test/bookworm-rootfs:1\nCMD ["bash"]\n' >"$work/base/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$base" "$work/base" >/dev/null 2>&1

# --- Debian package -----------------------------------------------------------------------------
mkdir -p "$ctx/debs"
(cd "$ctx/debs" && apt-get download -q -o APT::Sandbox::User=root python3-six=1.16.0-4 >/dev/null)

# --- Python -------------------------------------------------------------------------------------
site="$ctx/python/usr/local/lib/python3.11/site-packages"
mkdir -p "$site" "$ctx/python/app/python"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile \
  --cache-dir "$cache/pip" --target "$site" -r "$src/python/requirements.txt"
# `--target` puts console scripts in site-packages/bin; they belong in /usr/local/bin.
rm -rf "$site/bin"
cp "$src/python/requirements.txt" "$ctx/python/app/python/requirements.txt"

# --- Node.js ------------------------------------------------------------------------------------
mkdir -p "$ctx/node/app"
cp -r "$src/node" "$ctx/node/app/node"

# --- Java ---------------------------------------------------------------------------------------
jwork="$work/java"
mkdir -p "$jwork/classes" "$ctx/java"
javac -d "$jwork/classes" --release 11 "$src/java/src/org/bulwark/testimage/Placeholder.java"
# mkjar OUTPUT GROUP ARTIFACT VERSION [EXTRA_DIR]: a jar of the placeholder class with Maven's
# META-INF/maven/<g>/<a>/pom.properties and pom.xml, plus EXTRA_DIR's files (nested archives).
mkjar() {
  local outjar=$1 g=$2 a=$3 v=$4 extra=${5:-}
  local d="$jwork/tree.$a"
  rm -rf "$d" && mkdir -p "$d/META-INF/maven/$g/$a"
  cp -r "$jwork/classes/." "$d/"
  printf '#Created by Apache Maven 3.6.3\nversion=%s\ngroupId=%s\nartifactId=%s\n' "$v" "$g" "$a" \
    >"$d/META-INF/maven/$g/$a/pom.properties"
  printf '<project><modelVersion>4.0.0</modelVersion><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></project>\n' \
    "$g" "$a" "$v" >"$d/META-INF/maven/$g/$a/pom.xml"
  printf 'Manifest-Version: 1.0\nImplementation-Title: %s\nImplementation-Version: %s\nImplementation-Vendor-Id: %s\n' \
    "$a" "$v" "$g" >"$jwork/manifest.$a"
  [ -n "$extra" ] && cp -r "$extra/." "$d/"
  mkdir -p "$(dirname "$outjar")"
  jar --create --file "$outjar" --manifest "$jwork/manifest.$a" -C "$d" .
}
# Nested archives first (their container's staging dir), then the top-level ones.
while IFS='|' read -r path g a v container; do
  case "$path" in '#'* | '') continue ;; esac
  [ "$container" = "-" ] && continue
  mkjar "$jwork/nested$container/$path" "$g" "$a" "$v"
done <"$src/java/artifacts.txt"
while IFS='|' read -r path g a v container; do
  case "$path" in '#'* | '') continue ;; esac
  [ "$container" = "-" ] || continue
  mkjar "$ctx/java$path" "$g" "$a" "$v" "$( [ -d "$jwork/nested$path" ] && echo "$jwork/nested$path")"
done <"$src/java/artifacts.txt"

# --- Rust ---------------------------------------------------------------------------------------
rwork="$work/rust"
cp -r "$src/rust" "$rwork"
(cd "$rwork" && CARGO_TARGET_DIR="$cache/all-ecosystems-rust-target" \
  cargo auditable build -q --release --locked)
mkdir -p "$ctx/rust/usr/local/bin" "$ctx/rust/app/rust"
cp "$cache/all-ecosystems-rust-target/release/rust-app" "$ctx/rust/usr/local/bin/rust-app"
cp "$src/rust/Cargo.toml" "$src/rust/Cargo.lock" "$ctx/rust/app/rust/"

# --- Go -----------------------------------------------------------------------------------------
mkdir -p "$ctx/go/usr/local/bin"
# No -trimpath: with it, Go leaves -ldflags out of the build information, and the main
# module's version (set by -X) would be lost. -buildvcs=false: the repository's commit would
# otherwise change the binary at every commit.
(cd "$src/go" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local \
  GOCACHE="$cache/all-ecosystems-gocache" \
  go build -buildvcs=false -ldflags "-X main.version=1.2.3" -o "$ctx/go/usr/local/bin/goapp" .)
go_version=$(go env GOVERSION)

# --- Ruby, PHP, .NET ----------------------------------------------------------------------------
mkdir -p "$ctx/ruby/usr/local/lib/ruby/gems/3.1.0" "$ctx/ruby/app"
cp -r "$src/ruby/specifications" "$ctx/ruby/usr/local/lib/ruby/gems/3.1.0/specifications"
cp -r "$src/ruby/app" "$ctx/ruby/app/ruby"
mkdir -p "$ctx/php/app"
cp -r "$src/php" "$ctx/php/app/php"
mkdir -p "$ctx/dotnet/app"
cp -r "$src/dotnet" "$ctx/dotnet/app/dotnet"

# --- build and save -----------------------------------------------------------------------------
# The classic builder: BuildKit (buildx) is not installed on every test machine. Its
# deprecation notice goes to stderr; real errors fail the build.
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null 2>"$work/build.err" || { cat "$work/build.err" >&2; exit 1; }
docker save -o "$out.tmp" "$image"
mv "$out.tmp" "$out"
printf '{"go_version": "%s"}\n' "$go_version" >"$out.facts.json"
echo "$inputs" >"$out.inputs"
echo "$out"
