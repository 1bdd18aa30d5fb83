#!/usr/bin/env bash
# The quickstart: build an advisory database from the advisories kept in this directory, then
# scan the demo image with it. Offline; extra arguments go to `bulwark scan`
# (e.g. `--format html -o report.html`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin="$target_dir/release/bulwark"
if [ ! -x "$bin" ] || [ -n "$(find "$root/crates" -newer "$bin" -name '*.rs' -print -quit)" ]; then
  cargo build --release --locked -q -p bulwark-cli --manifest-path "$root/Cargo.toml" >&2
fi
db="$target_dir/demo-advisories.sqlite"
"$bin" --quiet db build --db "$db" \
  --source "osv:$here/advisories/pypa" \
  --source "rustsec:$here/advisories/rustsec" \
  --source "debian-tracker:$here/advisories/debian/tracker.json"
exec "$bin" scan "docker-archive:$here/demo-image.tar" --db "$db" --max-db-age 36500 "$@"
