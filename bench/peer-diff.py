#!/usr/bin/env python3
"""List where Bulwark and hadolint disagree, for the rules both have.

Usage: peer-diff.py BULWARK_BINARY CORPUS_DIR
Maps each Bulwark rule to the hadolint DL ids in its references (docs/rules.md), runs both
tools on every Dockerfile of the corpus and prints findings only one side reports, as
`file:line DLxxxx only-in-TOOL` (line: the instruction's first line, as hadolint reports it).
"""
import json, subprocess, sys, glob, os, re

bulwark, corpus = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(corpus, "dockerfile", "*", "Dockerfile")))
rep = json.loads(subprocess.run([bulwark, "config", "--kind", "dockerfile", "--format", "json", "--exit-code", "0", *files],
                                capture_output=True, text=True, check=True).stdout)
dl_of = {}
for r in rep["rules"]:
    dls = [m for ref in r.get("references", []) for m in re.findall(r"DL\d{4}", ref)]
    if dls:
        dl_of[r["id"]] = dls
shared = set(d for ds in dl_of.values() for d in ds)
# Hadolint reports an instruction's first line; Bulwark the token inside it, which can be
# 100 lines further down a long RUN. Findings are compared by the instruction that holds them:
# instruction starts are lines that begin an instruction (not a continuation or comment).
starts = {}
def instruction_start(path, line):
    if path not in starts:
        st, cont = [], False
        for n, l in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
            t = l.strip()
            if t.startswith("#"):
                continue
            if not cont and t:
                st.append(n)
            cont = t.endswith("\\") if t else cont
        starts[path] = st
    return max((s for s in starts[path] if s <= line), default=line)
ours = set()
for f in rep["findings"]:
    for dl in dl_of.get(f["rule_id"], []):
        path = f["location"]["file"]
        ours.add((os.path.relpath(path, corpus), instruction_start(path, f["location"]["line"]), dl))
h = subprocess.run(["hadolint", "--no-fail", "-f", "json", *files], capture_output=True, text=True)
theirs = set()
for x in json.loads(h.stdout or "[]"):
    if x["code"] in shared:
        theirs.add((os.path.relpath(x["file"], corpus), x["line"], x["code"]))
# A Bulwark rule that lists several DL ids (BW-DF-021: DL3033/DL3041/DL3037) matches whichever
# one hadolint used.
siblings = {d: {x for ds in dl_of.values() if d in ds for x in ds} for d in shared}
def matches(a, b):
    (fa, la, da), (fb, lb, db) = a, b
    return fa == fb and (db in siblings.get(da, {da})) and la == lb
def matched_ours(x):  # x from Bulwark, y from hadolint
    return any(matches(x, y) for y in theirs)
def matched_theirs(y):
    return any(matches(x, y) for x in ours)
only_ours = sorted(x for x in ours if not matched_ours(x))
only_theirs = sorted(y for y in theirs if not matched_theirs(y))
agree = len(ours) - len(only_ours)
print(f"shared hadolint rules: {len(shared)}; agreeing findings: {agree}; only bulwark: {len(only_ours)}; only hadolint: {len(only_theirs)}")
for f, l, d in only_ours:
    print(f"{f}:{l} {d} only-in-bulwark")
for f, l, d in only_theirs:
    print(f"{f}:{l} {d} only-in-hadolint")
