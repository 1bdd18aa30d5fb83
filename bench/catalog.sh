#!/usr/bin/env bash
# Cataloguing benchmark (issue 4): what the catalogers cost on top of the bare layer walk, on an
# image with a large node_modules tree and a large jar set.
#
# The image is generated directly as an OCI layout (no Docker needed), deterministically:
#   layer 0  the debootstrap'd Debian bookworm root filesystem (as a real base layer);
#   layer 1  /app/node_modules: 30,000 installed packages (each: package.json, index.js,
#            README.md, lib/util.js), 10% scoped, 15% nested one level deeper;
#   layer 2  /opt/jars: 320 jars (60-140 class-like entries each, pom.properties, manifest) and
#            20 fat jars each nesting 10 of their own (540 archives in all).
# Then, in the same run, 3 rounds of:
#   bulwark -q inspect TARGET                 (walk + digest verification, no catalogers)
#   bulwark -q sbom --format json TARGET      (the same walk plus every cataloger)
# with wall time, CPU time and peak RSS from GNU time, and the sbom/inspect ratios.
#
# Needs: python3, pigz (or gzip), GNU time, jq, the rootfs of scripts/install-test-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${BULWARK_CACHE:-$HOME/.cache/bulwark-tests}"
rootfs="${BULWARK_DEBIAN_ROOTFS:-$cache/bookworm-rootfs}"
work="bench/out"
layout="$work/catalog-oci"
bin="${BULWARK_BIN:-${CARGO_TARGET_DIR:-target}/release/bulwark}"
mkdir -p "$work"
[ -f "$rootfs/var/lib/dpkg/status" ] || { echo "no rootfs at $rootfs" >&2; exit 1; }
gz=gzip
command -v pigz >/dev/null 2>&1 && gz=pigz

if [ ! -f "$layout/index.json" ]; then
  rm -rf "$layout" "$work/catalog-layers"
  mkdir -p "$work/catalog-layers"
  tar -C "$rootfs" --numeric-owner -cf "$work/catalog-layers/0.tar" .
  python3 - "$work/catalog-layers" <<'PY'
import io, random, sys, tarfile, zipfile

out = sys.argv[1]
rng = random.Random(20261128)
WORDS = ("function return const module exports require this value options callback error "
         "object string length undefined null true false prototype call apply args index "
         "result buffer stream push emit handler config default async await promise").split()

def text(n):
    """About n bytes of code-like text (compresses like real JavaScript, about 4:1)."""
    parts, size = [], 0
    while size < n:
        w = rng.choice(WORDS)
        sep = rng.choice((" ", " ", " ", ".", "(", ");\n", " = ", ", "))
        parts.append(w + sep)
        size += len(w) + len(sep)
    return "".join(parts).encode()

def add(tf, path, data, mode=0o644):
    ti = tarfile.TarInfo(path)
    ti.size, ti.mode, ti.mtime = len(data), mode, 1764288000
    tf.addfile(ti, io.BytesIO(data))

def adddir(tf, path):
    ti = tarfile.TarInfo(path)
    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1764288000
    tf.addfile(ti)

# Layer 1: node_modules.
with tarfile.open(f"{out}/1.tar", "w", format=tarfile.PAX_FORMAT) as tf:
    adddir(tf, "app"); adddir(tf, "app/node_modules")
    top, made = [], 0
    while made < 30000:
        scoped = rng.random() < 0.10
        nested = top and rng.random() < 0.15
        name = f"pkg-{made:05d}"
        if scoped:
            name = f"@scope{made % 50:02d}/{name}"
        parent = f"app/node_modules/{rng.choice(top)}/node_modules" if nested else "app/node_modules"
        d = f"{parent}/{name}"
        ver = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 50)}"
        deps = ",\n".join(f'    "pkg-{rng.randint(0, 29999):05d}": "^1.{rng.randint(0, 9)}.0"'
                          for _ in range(rng.randint(0, 6)))
        manifest = (f'{{\n  "name": "{name}",\n  "version": "{ver}",\n'
                    f'  "description": "{" ".join(rng.choices(WORDS, k=8))}",\n'
                    f'  "main": "index.js",\n  "license": "MIT",\n'
                    f'  "repository": {{"type": "git", "url": "git+https://github.com/example/{made}.git"}},\n'
                    f'  "dependencies": {{\n{deps}\n  }}\n}}\n').encode()
        add(tf, f"{d}/package.json", manifest)
        add(tf, f"{d}/index.js", text(rng.randint(500, 4000)))
        add(tf, f"{d}/README.md", text(rng.randint(500, 3000)))
        add(tf, f"{d}/lib/util.js", text(rng.randint(1000, 8000)))
        if not nested and not scoped:
            top.append(name)
        made += 1

# Layer 2: jars.
def jar(group, artifact, version, nested=()):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/MANIFEST.MF",
                   f"Manifest-Version: 1.0\nImplementation-Title: {artifact}\n"
                   f"Implementation-Version: {version}\n")
        pkg = group.replace(".", "/")
        for i in range(rng.randint(60, 140)):
            z.writestr(f"{pkg}/{artifact.replace('-', '_')}/C{i}.class",
                       b"\xca\xfe\xba\xbe\x00\x00\x00\x37" + text(rng.randint(400, 3000)))
        z.writestr(f"META-INF/maven/{group}/{artifact}/pom.properties",
                   f"version={version}\ngroupId={group}\nartifactId={artifact}\n")
        for inner_name, inner in nested:
            z.writestr(zipfile.ZipInfo(f"BOOT-INF/lib/{inner_name}"), inner, zipfile.ZIP_STORED)
    return buf.getvalue()

with tarfile.open(f"{out}/2.tar", "w", format=tarfile.PAX_FORMAT) as tf:
    adddir(tf, "opt"); adddir(tf, "opt/jars")
    for i in range(320):
        g, a, v = f"org.example.g{i % 40}", f"lib-{i:03d}", f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        add(tf, f"opt/jars/{a}-{v}.jar", jar(g, a, v))
    for i in range(20):
        inner = []
        for k in range(10):
            a, v = f"inner-{i:02d}-{k}", f"1.{k}.0"
            inner.append((f"{a}-{v}.jar", jar("org.example.inner", a, v)))
        add(tf, f"opt/jars/fat-{i:02d}-1.0.0.jar", jar("com.example.fat", f"fat-{i:02d}", "1.0.0", inner))
PY
  # OCI layout with gzip layers, a config carrying history, one manifest.
  mkdir -p "$layout/blobs/sha256"
  diffids=() layers=()
  for n in 0 1 2; do
    t="$work/catalog-layers/$n.tar"
    diffids+=("sha256:$(sha256sum <"$t" | cut -d' ' -f1)")
    $gz -n -6 <"$t" >"$work/catalog-layers/$n.tar.gz"
    d=$(sha256sum <"$work/catalog-layers/$n.tar.gz" | cut -d' ' -f1)
    mv "$work/catalog-layers/$n.tar.gz" "$layout/blobs/sha256/$d"
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$layout/blobs/sha256/$d")}")
  done
  rm -rf "$work/catalog-layers"
  config=$(jq -cn --arg a "${diffids[0]}" --arg b "${diffids[1]}" --arg c "${diffids[2]}" '{
    architecture: "amd64", os: "linux", created: "2026-11-28T00:00:00Z",
    config: {Cmd: ["bash"]},
    rootfs: {type: "layers", diff_ids: [$a, $b, $c]},
    history: [
      {created: "2026-11-28T00:00:00Z", created_by: "debootstrap --variant=minbase bookworm"},
      {created: "2026-11-28T00:00:00Z", created_by: "COPY node_modules/ /app/node_modules/ # 30,000 packages"},
      {created: "2026-11-28T00:00:00Z", created_by: "COPY jars/ /opt/jars/ # 340 jars, 200 nested"}
    ]}')
  printf '%s' "$config" >"$work/config.json"
  cd_=$(sha256sum <"$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$layout/blobs/sha256/$cd_"
  manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s,%s,%s]}' \
    "$cd_" "${#config}" "${layers[0]}" "${layers[1]}" "${layers[2]}")
  printf '%s' "$manifest" >"$work/manifest.json"
  md=$(sha256sum <"$work/manifest.json" | cut -d' ' -f1)
  mv "$work/manifest.json" "$layout/blobs/sha256/$md"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"catalog"}}]}' \
    "$md" "${#manifest}" >"$layout/index.json"
fi

if [ -z "${BULWARK_BIN:-}" ]; then
  cargo build -q --release -p bulwark-cli
fi
target="oci:$layout:catalog"

# Warm the page cache so both contenders read from memory.
cat "$layout"/blobs/sha256/* >/dev/null
mdigest=$(jq -r '.manifests[0].digest' "$layout/index.json" | sed 's/sha256://')
compressed=$(jq '[.layers[].size] | add' "$layout/blobs/sha256/$mdigest")
echo "image: 3 layers, $((compressed / 1048576)) MiB compressed"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.$name" "$@" >"$work/stdout.$name"
  read -r wall user sys rss <"$work/time.$name"
  cpu=$(echo "$user + $sys" | bc)
  printf '%-16s wall %7.2fs  cpu %7.2fs  peak RSS %7.1f MiB\n' "$name" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)"
  echo "$wall $cpu $rss" >"$work/m.$name"
}

for round in 1 2 3; do
  echo "-- round $round"
  measure inspect "$bin" -q inspect "$target"
  measure sbom "$bin" -q sbom --format json "$target"
  read -r iw ic ir <"$work/m.inspect"
  read -r sw sc sr <"$work/m.sbom"
  printf 'ratios sbom/inspect: wall %.2f  cpu %.2f  peak RSS %.2f\n' \
    "$(echo "$sw / $iw" | bc -l)" "$(echo "$sc / $ic" | bc -l)" "$(echo "$sr / $ir" | bc -l)"
done
jq -r '.packages | group_by(.kind) | map("\(.[0].kind): \(length)") | join(", ")' "$work/stdout.sbom" |
  sed 's/^/packages found: /'
jq -r '"warnings: \(.warnings | length)"' "$work/stdout.sbom"
