#!/usr/bin/env bash
# Walk benchmark (foundation issue): a real Debian bookworm image of several hundred packages,
# built with the local Docker Engine and turned into an OCI layout with gzip layers by skopeo,
# walked by Bulwark and, in the same run, by the physical floor: `gzip -dc | sha256sum` of the
# same layer blobs (one pipeline per layer, run one after another and two at a time).
#
# Prints wall time, CPU time and peak RSS for each, and Bulwark's ratios to the floor.
# Needs: docker, debootstrap, skopeo, GNU time (/usr/bin/time). First run downloads ~250 MB of
# Debian packages into $BULWARK_CACHE (default ~/.cache/bulwark-tests).
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}"
rootfs="${BULWARK_BENCH_ROOTFS:-$cache/bench-rootfs}"
work="bench/out"
mkdir -p "$work"

if [ ! -f "$rootfs/var/lib/dpkg/status" ]; then
  debootstrap --variant=minbase \
    --include=build-essential,git,python3,python3-pip,perl,openjdk-17-jre-headless,postgresql-15,vim,curl,libicu72,locales \
    bookworm "$rootfs" http://deb.debian.org/debian >"$cache/bench-debootstrap.log" 2>&1
fi

layout="$work/bench-oci"
if [ ! -f "$layout/index.json" ]; then
  ctx="$work/ctx"
  rm -rf "$ctx" && mkdir -p "$ctx"
  # Four layers of different sizes, as a real image has.
  tar -C "$rootfs" -cf "$ctx/l1.tar" usr/lib
  tar -C "$rootfs" -cf "$ctx/l2.tar" usr/share
  tar -C "$rootfs" -cf "$ctx/l3.tar" --exclude=usr/lib --exclude=usr/share usr
  tar -C "$rootfs" -cf "$ctx/l4.tar" --exclude=usr --exclude=proc --exclude=sys --exclude=dev .
  printf 'FROM scratch\nADD l1.tar /\nADD l2.tar /\nADD l3.tar /\nADD l4.tar /\nCMD ["bash"]\n' >"$ctx/Dockerfile"
  docker build -q -t bulwark-bench/bookworm:1 "$ctx" >/dev/null
  docker save -o "$work/bench.tar" bulwark-bench/bookworm:1
  skopeo copy -q "docker-archive:$work/bench.tar" "oci:$layout:bench"
  rm -rf "$ctx" "$work/bench.tar"
fi

cargo build -q --release -p bulwark-cli
bin="${CARGO_TARGET_DIR:-target}/release/bulwark"

# Layer blobs of the image (the manifest's layers).
mdigest=$(jq -r '.manifests[0].digest' "$layout/index.json" | sed 's/sha256://')
mapfile -t blobs < <(jq -r '.layers[].digest' "$layout/blobs/sha256/$mdigest" | sed "s#sha256:#$layout/blobs/sha256/#")
compressed=$(du -cb "${blobs[@]}" | tail -1 | cut -f1)
uncompressed=0
for b in "${blobs[@]}"; do uncompressed=$((uncompressed + $(gzip -dc "$b" | wc -c))); done

# Warm the page cache so every contender reads from memory.
cat "${blobs[@]}" >/dev/null

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.$name" "$@" >/dev/null
  read -r wall user sys rss <"$work/time.$name"
  printf '%-28s wall %7.2fs  cpu %7.2fs  peak RSS %7.1f MiB\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"
  echo "$wall" >"$work/wall.$name"
}

floor_seq() { for b in "${blobs[@]}"; do gzip -dc "$b" | sha256sum >/dev/null; done; }
floor_par() { printf '%s\n' "${blobs[@]}" | xargs -P2 -I{} sh -c 'gzip -dc {} | sha256sum >/dev/null'; }
export -f floor_seq floor_par 2>/dev/null || true

echo "image: ${#blobs[@]} layers, $((compressed / 1048576)) MiB compressed, $((uncompressed / 1048576)) MiB uncompressed"
for round in 1 2 3; do
  echo "-- round $round"
  measure floor-sequential bash -c "$(declare -p blobs); $(declare -f floor_seq); floor_seq"
  measure floor-2-parallel bash -c "$(declare -p blobs); $(declare -f floor_par); floor_par"
  measure bulwark-inspect "$bin" -q inspect "oci:$layout:bench"
  measure bulwark-sbom "$bin" -q sbom --format json "oci:$layout:bench"
  printf 'ratios: inspect/floor-seq %.2f  inspect/floor-par %.2f  sbom/inspect %.3f\n' \
    "$(echo "$(cat $work/wall.bulwark-inspect) / $(cat $work/wall.floor-sequential)" | bc -l)" \
    "$(echo "$(cat $work/wall.bulwark-inspect) / $(cat $work/wall.floor-2-parallel)" | bc -l)" \
    "$(echo "$(cat $work/wall.bulwark-sbom) / $(cat $work/wall.bulwark-inspect)" | bc -l)"
done
"$bin" -q sbom --format json "oci:$layout:bench" | jq '[.packages[] | select(.kind=="deb")] | length' | sed 's/^/deb packages found: /'
echo "dpkg-query reports: $(dpkg-query --admindir="$rootfs/var/lib/dpkg" -W -f '${db:Status-Abbrev}\n' | grep -c '^ii')"
