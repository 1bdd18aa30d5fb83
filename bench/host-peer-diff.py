#!/usr/bin/env python3
"""Compare `bulwark host --format json` with docker-bench-security's JSON log on the same host.

Usage: host-peer-diff.py DBS_LOG.json BULWARK.json [NAME_PREFIX]
Prints a Markdown table: one row per check id either tool reports, each tool's rolled-up
result (docker-bench-security reports one result per check; Bulwark one per container or
image, rolled up as WARN > INFO > NOTE > PASS > SKIP), and the containers/images that WARN.
Only containers and images whose name starts with NAME_PREFIX count (default: all).
"""
import json
import sys
from collections import defaultdict

dbs_path, bw_path = sys.argv[1], sys.argv[2]
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
dbs = {}
for sec in json.load(open(dbs_path))["tests"]:
    for r in sec["results"]:
        dbs[r["id"]] = (r["result"], r.get("items") or [])
agg = defaultdict(list)
for r in json.load(open(bw_path))["results"]:
    subj = r.get("container") or r.get("image")
    if subj and not subj["name"].startswith(prefix):
        continue
    agg[r["id"]].append(r)


def roll(rs):
    outs = [r["result"] for r in rs]
    for o in ["WARN", "INFO", "NOTE", "PASS", "SKIP"]:
        if o in outs:
            names = sorted({(r.get("container") or r.get("image") or {}).get("name", "")
                            for r in rs if r["result"] == "WARN"} - {""})
            return o, names
    return "-", []


def key(i):
    return [int(x) for x in i.split(".")]


print("| id | docker-bench-security | bulwark | same | WARN items (dbs / bulwark) |")
print("|---|---|---|---|---|")
for i in sorted(set(dbs) | set(agg), key=key):
    a = dbs.get(i, ("-", []))
    b = roll(agg[i]) if i in agg else ("-", [])
    same = "yes" if a[0] == b[0] else "**no**"
    items = ""
    if a[0] == "WARN" or b[0] == "WARN":
        da = ", ".join(sorted(str(x) for x in a[1])) if isinstance(a[1], list) else str(a[1])
        items = f"{da or '-'} / {', '.join(b[1]) or '-'}"
    print(f"| {i} | {a[0]} | {b[0]} | {same} | {items} |")
