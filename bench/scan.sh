#!/usr/bin/env bash
# Whole-scan benchmark (scan issue): a multi-layer Debian bookworm OCI image (the root filesystem
# split into four layers, as bench/walk.sh does, plus two application-like layers with language
# lockfiles), scanned by `bulwark scan` against a database built from the full advisory corpus.
# In the same run, three rounds of:
#
#   floor          `gzip -dc BLOB | sha256sum` of every layer, one after another (walk.sh's floor)
#   inspect        `bulwark inspect` (the bare walk)
#   sbom           `bulwark sbom --format json` (walk + catalogue)
#   scan           `bulwark scan --format json --timings` (walk + catalogue + match + policy +
#                  report; the per-stage split is read from the `timings:` line on stderr)
#
# Prints wall time, CPU time and peak RSS (GNU time) of each, the stage split of the scan, and
# the ratios scan/floor, scan/inspect and (match+report)/scan.
#
# Environment:
#   BULWARK_CORPUS        the corpus directory (with advisories/ and lang/); required
#   BULWARK_BENCH_ROOTFS  root filesystem to image (default: the debootstrap'd bookworm rootfs
#                         that scripts/install-test-deps.sh makes, $BULWARK_CACHE/bookworm-rootfs)
#   BULWARK_CACHE         default ~/.cache/bulwark-tests
# Needs: docker, skopeo, jq, bc, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}"
rootfs="${BULWARK_BENCH_ROOTFS:-$cache/bookworm-rootfs}"
corpus="${BULWARK_CORPUS:?set BULWARK_CORPUS to the corpus directory (advisories/, lang/)}"
adv="$corpus/advisories"
work="bench/out"
mkdir -p "$work"

if [ ! -f "$rootfs/var/lib/dpkg/status" ]; then
  echo "no root filesystem at $rootfs (run scripts/install-test-deps.sh or set BULWARK_BENCH_ROOTFS)" >&2
  exit 2
fi

layout="$work/scan-oci"
if [ ! -f "$layout/index.json" ]; then
  ctx="$work/scan-ctx"
  rm -rf "$ctx" && mkdir -p "$ctx/app/srv/app" "$ctx/cfg/etc/app"
  # Four OS layers of different sizes, as a real image has (the same split as walk.sh).
  tar -C "$rootfs" -cf "$ctx/l1.tar" usr/lib
  tar -C "$rootfs" -cf "$ctx/l2.tar" usr/share
  tar -C "$rootfs" -cf "$ctx/l3.tar" --exclude=usr/lib --exclude=usr/share usr
  tar -C "$rootfs" -cf "$ctx/l4.tar" --exclude=usr --exclude=proc --exclude=sys --exclude=dev .
  # Application layers: the demo app's lockfiles and the corpus's real lockfiles, one directory
  # per project, then a small configuration layer.
  cp -r examples/demo/app/app "$ctx/app/srv/app/demo"
  for f in "$corpus"/lang/*/*/*; do
    case "$f" in *.expected.json) continue ;; esac
    [ -f "$f" ] || continue
    rel="${f#"$corpus"/lang/}"
    mkdir -p "$ctx/app/srv/app/$(dirname "$rel")"
    cp "$f" "$ctx/app/srv/app/$rel"
  done
  printf 'listen = ":8080"\n' >"$ctx/cfg/etc/app/app.toml"
  printf 'FROM scratch\nADD l1.tar /\nADD l2.tar /\nADD l3.tar /\nADD l4.tar /\nCOPY app/ /\nCOPY cfg/ /\nCMD ["bash"]\n' >"$ctx/Dockerfile"
  docker build -q -t bulwark-bench/scan:1 "$ctx" >/dev/null
  docker save -o "$work/scan-bench.tar" bulwark-bench/scan:1
  skopeo copy -q "docker-archive:$work/scan-bench.tar" "oci:$layout:bench"
  rm -rf "$ctx" "$work/scan-bench.tar"
fi

cargo build -q --release -p bulwark-cli
bin="${CARGO_TARGET_DIR:-target}/release/bulwark"

# The full corpus database (rebuilt each run: it is the database the scan is measured against).
db="$work/corpus.sqlite"
build_start=$(date +%s.%N)
"$bin" -q db build --db "$db" \
  --source "rustsec:$adv/rustsec" \
  --source "osv:$adv/pypa" \
  --source "osv:$adv/govulndb/osv" \
  --source "osv:$adv/almalinux-osv" \
  --source "osv:$adv/rocky-osv" \
  --source "osv:$adv/ubuntu-osv" \
  --source "osv:$adv/debian-osv" \
  --source "osv:$adv/ghsa" \
  --source "debian-dsa:$adv/debian-security-tracker/data" \
  --source "debian-tracker:$adv/debian-security-tracker/json-excerpt/debian.json" \
  --source "alpine-secdb:$adv/alpine-secdb" \
  --source "alpine-secdb:$adv/wolfi-secdb" \
  --source "redhat-vex:$adv/redhat/csaf-vex"
build_end=$(date +%s.%N)
printf 'database: %s, %.1f MiB, built in %.1f s\n' "$db" \
  "$(echo "$(stat -c %s "$db") / 1048576" | bc -l)" "$(echo "$build_end - $build_start" | bc -l)"
"$bin" db status --db "$db" | sed 's/^/  /'

mdigest=$(jq -r '.manifests[0].digest' "$layout/index.json" | sed 's/sha256://')
mapfile -t blobs < <(jq -r '.layers[].digest' "$layout/blobs/sha256/$mdigest" | sed "s#sha256:#$layout/blobs/sha256/#")
compressed=$(du -cb "${blobs[@]}" | tail -1 | cut -f1)
uncompressed=0
for b in "${blobs[@]}"; do uncompressed=$((uncompressed + $(gzip -dc "$b" | wc -c))); done
cat "${blobs[@]}" "$db" >/dev/null # warm the page cache

measure() { # name, command... (stderr kept in $work/err.NAME)
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.$name" "$@" >/dev/null 2>"$work/err.$name"
  read -r wall user sys rss <"$work/time.$name"
  printf '%-10s wall %7.2fs  cpu %7.2fs  peak RSS %7.1f MiB\n' "$name" "$wall" \
    "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"
  echo "$wall" >"$work/wall.$name"
  echo "$rss" >"$work/rss.$name"
}
floor_seq() { for b in "${blobs[@]}"; do gzip -dc "$b" | sha256sum >/dev/null; done; }

target="oci:$layout:bench"
echo "image: ${#blobs[@]} layers, $((compressed / 1048576)) MiB compressed, $((uncompressed / 1048576)) MiB uncompressed"
for round in 1 2 3; do
  echo "-- round $round"
  measure floor bash -c "$(declare -p blobs); $(declare -f floor_seq); floor_seq"
  measure inspect "$bin" -q inspect "$target"
  measure sbom "$bin" -q sbom --format json "$target"
  # --max-db-age: the corpus is a snapshot; its age is not what is measured.
  measure scan "$bin" scan --format json --timings --db "$db" --max-db-age 36500 "$target"
  # timings: walk+catalog A ms, catalog finish B ms, match C ms, policy D ms, report E ms
  read -r walk fin match policy report < <(grep '^timings:' "$work/err.scan" |
    sed -E 's/[^0-9.]+/ /g; s/^ //')
  scan_ms=$(echo "$(cat "$work/wall.scan") * 1000" | bc -l)
  printf 'scan stages: walk+catalog %.1f ms, catalog finish %.1f ms, match %.1f ms, policy %.1f ms, report %.1f ms\n' \
    "$walk" "$fin" "$match" "$policy" "$report"
  printf 'ratios: scan/floor %.2f  scan/inspect %.2f  scan/sbom %.2f  (match+report)/scan %.4f  (match+policy+report)/scan %.4f\n' \
    "$(echo "$(cat "$work/wall.scan") / $(cat "$work/wall.floor")" | bc -l)" \
    "$(echo "$(cat "$work/wall.scan") / $(cat "$work/wall.inspect")" | bc -l)" \
    "$(echo "$(cat "$work/wall.scan") / $(cat "$work/wall.sbom")" | bc -l)" \
    "$(echo "($match + $report) / $scan_ms" | bc -l)" \
    "$(echo "($match + $policy + $report) / $scan_ms" | bc -l)"
done
"$bin" -q scan --format json --db "$db" --max-db-age 36500 "$target" |
  jq -r '"packages: \(.packages | length) (\([.packages[] | select(.kind == "deb")] | length) deb); findings: \(.vulnerabilities | length)"'
