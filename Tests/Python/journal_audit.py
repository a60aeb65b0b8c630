#!/usr/bin/env python3
"""Test tooling: an independent auditor of a running journald, written from RFC 9162 and RFC 8785.

Usage: journal_audit.py http://127.0.0.1:PORT [token]

Downloads every event, recomputes each one's canonical JSON (PyPI rfc8785), its chain hash
SHA-256(prev || canonical) and its RFC 9162 leaf hash, rebuilds the Merkle root and compares it
with GET /v1/checkpoint; then checks the inclusion proof of every event and consistency proofs
between many pairs of sizes with the RFC 9162 verification algorithms. Prints one line
"audit ok events=N root=..." or exits 1 naming the first discrepancy.
"""
import hashlib, json, sys, urllib.request

try:
    import rfc8785
except ImportError:
    sys.exit("missing Python module rfc8785 (pip install -r Tests/Python/requirements.txt)")

base = sys.argv[1].rstrip("/")
token = sys.argv[2] if len(sys.argv) > 2 else None

def get(path):
    request = urllib.request.Request(base + path)
    if token:
        request.add_header("X-Lakehouse-Token", token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())

def fail(message):
    print("audit FAILED: " + message)
    sys.exit(1)

def sha(data):
    return hashlib.sha256(data).digest()

def leaf_hash(entry):
    return sha(b"\x00" + entry)

def node_hash(left, right):
    return sha(b"\x01" + left + right)

def mth(leaves):
    """RFC 9162 §2.1.1."""
    n = len(leaves)
    if n == 0:
        return sha(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))

def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root

def verify_consistency(size1, size2, root1, root2, proof):
    """RFC 9162 §2.1.4.2."""
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2 or not proof:
        return False
    if size1 & (size1 - 1) == 0:
        proof = [root1] + proof
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0

checkpoint = get("/v1/checkpoint")
size = checkpoint["size"]
events, since = [], 0
while True:
    page = get(f"/v1/events?since_seq={since}&limit=1000")
    events += page["events"]
    if page["next_since_seq"] is None:
        break
    since = page["next_since_seq"]
events = [e for e in events if e["seq"] <= size]
if [e["seq"] for e in events] != list(range(1, size + 1)):
    fail(f"expected seqs 1..{size}, got {len(events)} events")

prev, leaves = bytes(32), []
for e in events:
    body = {k: v for k, v in e.items() if k not in ("seq", "hash")}
    canonical = rfc8785.dumps(body)
    chain = sha(prev + canonical)
    if chain.hex() != e["hash"]:
        fail(f"seq {e['seq']}: chain hash {e['hash']} != SHA-256(prev || canonical) {chain.hex()}")
    prev = chain
    leaves.append(leaf_hash(canonical))

root = mth(leaves)
if root.hex() != checkpoint["root"]:
    fail(f"checkpoint root {checkpoint['root']} != recomputed {root.hex()}")

for e in events:
    p = get(f"/v1/proof/inclusion?seq={e['seq']}&size={size}")
    if p["leaf_hash"] != leaves[e["seq"] - 1].hex():
        fail(f"seq {e['seq']}: served leaf hash differs from the recomputed one")
    if not verify_inclusion(e["seq"] - 1, size, leaves[e["seq"] - 1], [bytes.fromhex(h) for h in p["proof"]], root):
        fail(f"seq {e['seq']}: inclusion proof does not verify")

pairs = [(m, n) for m in (1, 2, 3, 7, 8, 100, 255, 256, 257, size // 2, size - 1, size) for n in (m, size // 2, size - 1, size) if 1 <= m <= n <= size]
for m, n in sorted(set(pairs)):
    p = get(f"/v1/proof/consistency?from={m}&to={n}")
    if not verify_consistency(m, n, mth(leaves[:m]), mth(leaves[:n]), [bytes.fromhex(h) for h in p["proof"]]):
        fail(f"consistency proof {m} -> {n} does not verify")

print(f"audit ok events={size} root={root.hex()} consistency_pairs={len(set(pairs))}")
