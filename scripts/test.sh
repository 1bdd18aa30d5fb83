#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need, then formatting, lints and
# every test of the workspace (unit, integration against the real Docker Engine, registries and
# reference tools).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
# Tests that need an optional tool (validators, reference tools, Docker) fail instead of skipping.
export BULWARK_REQUIRE_TOOLS=1
export BULWARK_DEBIAN_ROOTFS="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}/bookworm-rootfs"
if [ -d ../shared/corpus ] && [ -z "${BULWARK_CORPUS:-}" ]; then
  # Optional: full advisory sets for the database-build checks (skipped loudly without it).
  BULWARK_CORPUS="$(cd ../shared/corpus && pwd)"
  export BULWARK_CORPUS
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
  cargo test --workspace --doc --locked
else
  cargo test --workspace --locked --no-fail-fast
fi
