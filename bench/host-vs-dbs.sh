#!/usr/bin/env bash
# Live host audit benchmark (issue 13): wall time of `bulwark host` and of docker-bench-security
# on the same engine with 50 running containers, in one run, and the ratio.
#
# Starts 50 containers (bwt-host13-bench-N, from a FROM-scratch image with Debian's
# busybox-static, each with a published loopback port and a bind mount so every check has
# something to look at), then times, once each:
#   bulwark -q host --format json --exit-code 0            (every section, all 50 containers)
#   bash docker-bench-security.sh -l LOG -i bwt-host13-bench (its checks on the same containers)
# and removes everything it created. Run as root (docker-bench-security needs it).
#
# Needs: docker, busybox-static (/bin/busybox), GNU time or bash's time, python3, and a copy of
# docker-bench-security (DBS_DIR, default ../shared/peers/docker-bench-security).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BULWARK_BIN:-${CARGO_TARGET_DIR:-target}/release/bulwark}"
dbs_src="${DBS_DIR:-../shared/peers/docker-bench-security}"
n="${N:-50}"
p=bwt-host13-bench
work=$(mktemp -d)
cleanup() {
  docker ps -aq --filter "name=^$p-" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker rmi -f "$p:1" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cp /bin/busybox "$work/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\nCMD ["sleep", "3600"]\n' >"$work/Dockerfile"
docker build -q -t "$p:1" "$work" >/dev/null
for i in $(seq 1 "$n"); do
  docker run -d --name "$p-$i" -p 127.0.0.1:0:80 -v "$work:/data:ro" "$p:1" >/dev/null
done
cp -r "$dbs_src" "$work/dbs"

now() { date +%s.%N; }
t0=$(now)
"$bin" -q host --format json --exit-code 0 >"$work/bulwark.json"
t1=$(now)
(cd "$work/dbs" && bash docker-bench-security.sh -l "$work/dbs.log" -i "$p" >/dev/null 2>&1)
t2=$(now)

python3 - "$t0" "$t1" "$t2" "$work/bulwark.json" "$work/dbs.log.json" "$n" <<'PY'
import json, sys
t0, t1, t2 = map(float, sys.argv[1:4])
bw = json.load(open(sys.argv[4]))
dbs = json.load(open(sys.argv[5]))
n = int(sys.argv[6])
b, d = t1 - t0, t2 - t1
containers = {r["container"]["id"] for r in bw["results"] if r.get("container")}
print(f"containers running: {n} (bulwark audited {len(containers)})")
print(f"bulwark host:          {b:8.3f} s  ({len(bw['results'])} results)")
print(f"docker-bench-security: {d:8.3f} s  ({dbs.get('checks', '?')} checks)")
print(f"ratio (dbs / bulwark): {d / b:8.1f}x")
PY
