#!/usr/bin/env python3
"""Collects the RFC 9162 / RFC 6962 proof test vectors of transparency-dev/merkle (Apache-2.0),
used as data only, into two fixture files: merkle-inclusion.json and merkle-consistency.json.

Usage: Tests/Fixtures/merkle/import-merkle-testdata.py <git dir of transparency-dev/merkle> [commit]
Each case keeps its file path under testdata/ as "name"; hashes stay base64 as in the source.
The tree roots for sizes 0-8 (merkle-roots.json) are the values of testonly/constants.go
(LeafInputs, RootHashes), copied as data by hand: they are not in testdata/.
"""
import json, subprocess, sys, os

git_dir = sys.argv[1]
commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
here = os.path.dirname(os.path.abspath(__file__))

def git(*args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True, text=True).stdout

resolved = git("rev-parse", commit).strip()
names = [n for n in git("ls-tree", "-r", "--name-only", resolved, "testdata").splitlines()]
for kind in ("inclusion", "consistency"):
    cases = []
    for name in sorted(n for n in names if n.startswith(f"testdata/{kind}/") and n.endswith(".json")):
        case = json.loads(git("show", f"{resolved}:{name}"))
        case["name"] = name[len("testdata/"):]
        cases.append(case)
    out = {"source": "https://github.com/transparency-dev/merkle", "commit": resolved, "cases": cases}
    with open(os.path.join(here, f"merkle-{kind}.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(kind, len(cases))
