#!/usr/bin/env bash
# Registry benchmark (issue 16): `bulwark registry serve` (token/Basic auth, role checks, audit
# log on) against Debian's `docker-registry` (CNCF distribution, htpasswd auth) on loopback, in
# one run, with the same clients and the same content:
#   1. push and pull of one image with a BENCH_MIB MiB layer (default 1024) through skopeo;
#   2. PUT then GET of BENCH_MANIFESTS small manifests (default 1000) with BENCH_CONCURRENCY
#      concurrent curl clients (default 32), with throughput and p50/p99 latency;
#   3. peak RSS of each server process (VmHWM).
# Numbers are printed as a table with bulwark/distribution ratios (>1 = bulwark faster).
#
# Needs: docker-registry, skopeo, curl, htpasswd (apache2-utils), python3, and a build of
# bulwark (BULWARK_BIN, default target/release/bulwark: cargo build --release -p bulwark-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BULWARK_BIN:-${CARGO_TARGET_DIR:-target}/release/bulwark}"
mib="${BENCH_MIB:-1024}"
n="${BENCH_MANIFESTS:-1000}"
conc="${BENCH_CONCURRENCY:-32}"
work="$(mktemp -d /tmp/bulwark-registry-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null "http://$1/v2/" && return 0; sleep 0.1; done; echo "no server on $1" >&2; exit 1; }
now() { date +%s.%N; }

user=bench pw=bench-password-1
# --- distribution, htpasswd auth ---
dport=$(free_port)
htpasswd -Bbn "$user" "$pw" > "$work/htpasswd"
cat > "$work/dist.yml" <<YML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/dist }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$dport }
auth: { htpasswd: { realm: bench, path: $work/htpasswd } }
YML
docker-registry serve "$work/dist.yml" >"$work/dist.log" 2>&1 & pids+=($!); dpid=$!
# --- bulwark, token auth, a private project with the user as developer ---
bport=$(free_port)
BULWARK_REGISTRY_ADMIN_PASSWORD=admin-password-1 "$bin" -q registry serve --listen "127.0.0.1:$bport" --root "$work/bulwark" \
  >"$work/bulwark.log" 2>&1 & pids+=($!); bpid=$!
wait_http "127.0.0.1:$dport"; wait_http "127.0.0.1:$bport"
export BULWARK_REGISTRY_SERVER="http://127.0.0.1:$bport" BULWARK_REGISTRY_USER=admin BULWARK_REGISTRY_PASSWORD=admin-password-1
"$bin" -q registry project create bench >/dev/null
printf '%s' "$pw" | "$bin" -q registry user create "$user" --password-stdin >/dev/null
"$bin" -q registry member add bench "$user" developer >/dev/null

# --- content: an OCI layout with one random layer of $mib MiB ---
python3 - "$work/layout" "$mib" <<'PY'
import hashlib, json, os, sys
out, mib = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)
def put(data=None, path=None):
    if path:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for c in iter(lambda: f.read(1 << 20), b""): h.update(c)
        d = h.hexdigest(); os.rename(path, f"{out}/blobs/sha256/{d}"); return d, os.path.getsize(f"{out}/blobs/sha256/{d}")
    d = hashlib.sha256(data).hexdigest(); open(f"{out}/blobs/sha256/{d}", "wb").write(data); return d, len(data)
# gzip at level 0 (stored blocks): a real gzip layer that clients push as it is, instead of
# spending the measurement compressing random bytes.
import gzip
tmp = f"{out}/layer.tmp"
diff = hashlib.sha256()
with gzip.GzipFile(tmp, "wb", compresslevel=0, mtime=0) as f:
    for _ in range(mib):
        b = os.urandom(1 << 20); diff.update(b); f.write(b)
ld, ls = put(path=tmp)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff.hexdigest()}"]}}).encode()
cd, cs = put(cfg)
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": f"sha256:{cd}", "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": f"sha256:{ld}", "size": ls}]}).encode()
md, ms = put(m)
open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": f"sha256:{md}", "size": ms, "annotations": {"org.opencontainers.image.ref.name": "big"}}]}, open(f"{out}/index.json", "w"))
PY

declare -A res
for reg in distribution bulwark; do
  port=$dport; [ "$reg" = bulwark ] && port=$bport
  host="127.0.0.1:$port"
  t0=$(now)
  skopeo copy -q --dest-tls-verify=false --dest-creds "$user:$pw" "oci:$work/layout:big" "docker://$host/bench/big:1"
  t1=$(now)
  skopeo copy -q --src-tls-verify=false --src-creds "$user:$pw" "docker://$host/bench/big:1" "oci:$work/pull-$reg:big"
  t2=$(now)
  res[$reg.push]=$(python3 -c "print(f'{$mib/($t1-$t0):.1f}')")
  res[$reg.pull]=$(python3 -c "print(f'{$mib/($t2-$t1):.1f}')")
  # small manifests: each distinct (an annotation), all over the big image's config and layer
  cmp -s "$work/layout/blobs/sha256/$(cd "$work/pull-$reg/blobs/sha256" && ls -S | head -1)" \
    "$work/pull-$reg/blobs/sha256/$(cd "$work/pull-$reg/blobs/sha256" && ls -S | head -1)" || { echo "$reg: layer differs" >&2; exit 1; }
  skopeo inspect --raw --tls-verify=false --creds "$user:$pw" "docker://$host/bench/big:1" > "$work/stored-$reg.json"
  python3 - "$work/stored-$reg.json" "$work/small-$reg" "$n" <<'PY'
import json, os, sys
stored, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = json.load(open(stored))
os.makedirs(out, exist_ok=True)
for i in range(n):
    m["annotations"] = {"bench.index": str(i)}
    open(f"{out}/{i}.json", "w").write(json.dumps(m))
PY
  put_one() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -u "$user:$pw" -X PUT \
    -H 'content-type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$2/$3.json" "http://$1/v2/bench/big/manifests/t$3"; }
  get_one() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -u "$user:$pw" \
    -H 'accept: application/vnd.oci.image.manifest.v1+json' "http://$1/v2/bench/big/manifests/t$3"; }
  export -f put_one get_one; export user pw
  t0=$(now); seq 0 $((n-1)) | xargs -P "$conc" -I{} bash -c "put_one $host $work/small-$reg {}" > "$work/put-$reg.txt"; t1=$(now)
  seq 0 $((n-1)) | xargs -P "$conc" -I{} bash -c "get_one $host $work/small-$reg {}" > "$work/get-$reg.txt"; t2=$(now)
  for kind in put get; do
    f="$work/$kind-$reg.txt"
    bad=$(awk '$1 !~ /^20[01]$/' "$f" | wc -l)
    [ "$bad" = 0 ] || { echo "$reg $kind: $bad failed requests" >&2; head -3 "$f" >&2; exit 1; }
    res[$reg.$kind.p50]=$(awk '{print $2}' "$f" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int(NR*0.5)]*1000}')
    res[$reg.$kind.p99]=$(awk '{print $2}' "$f" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int(NR*0.99)]*1000}')
  done
  res[$reg.putrate]=$(python3 -c "print(f'{$n/($t1-$t0):.0f}')")
  res[$reg.getrate]=$(python3 -c "print(f'{$n/($t2-$t1):.0f}')")
  pid=$dpid; [ "$reg" = bulwark ] && pid=$bpid
  res[$reg.rss]=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
done

ratio() { python3 -c "a,b=$1,$2; print(f'{a/b:.2f}' if b else '-')"; }
inv() { python3 -c "a,b=$1,$2; print(f'{b/a:.2f}' if a else '-')"; }
printf '%-34s %14s %14s %8s\n' "metric ($mib MiB layer, $n manifests, $conc clients)" distribution bulwark ratio
row() { printf '%-34s %14s %14s %8s\n' "$1" "${res[distribution.$2]}" "${res[bulwark.$2]}" "$3"; }
row "push MiB/s (skopeo)" push "$(ratio "${res[bulwark.push]}" "${res[distribution.push]}")"
row "pull MiB/s (skopeo)" pull "$(ratio "${res[bulwark.pull]}" "${res[distribution.pull]}")"
row "manifest PUT /s" putrate "$(ratio "${res[bulwark.putrate]}" "${res[distribution.putrate]}")"
row "manifest PUT p50 ms" put.p50 "$(inv "${res[bulwark.put.p50]}" "${res[distribution.put.p50]}")"
row "manifest PUT p99 ms" put.p99 "$(inv "${res[bulwark.put.p99]}" "${res[distribution.put.p99]}")"
row "manifest GET /s" getrate "$(ratio "${res[bulwark.getrate]}" "${res[distribution.getrate]}")"
row "manifest GET p50 ms" get.p50 "$(inv "${res[bulwark.get.p50]}" "${res[distribution.get.p50]}")"
row "manifest GET p99 ms" get.p99 "$(inv "${res[bulwark.get.p99]}" "${res[distribution.get.p99]}")"
row "server peak RSS MiB" rss "$(inv "${res[bulwark.rss]}" "${res[distribution.rss]}")"
