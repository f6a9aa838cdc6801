#!/usr/bin/env python3
"""Independent RFC 6962 Merkle tree oracle (Python hashlib only), written from RFC 6962 §2.1
as recursive definitions, not from the Rust code. Writes merkle-oracle.json beside this file:
for leaves D[i] = "leaf-<i>" (ASCII), every size 1..20 in full (the root, the audit path of every
leaf, the consistency proof from every smaller size), and sizes 64, 100, 257 and 1000 sampled.

Run: python3 crates/trial/test-vectors/merkle_oracle.py
"""
import hashlib
import json
import os

FULL_UP_TO = 20
SAMPLED_SIZES = [64, 100, 257, 1000]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = split(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) <= 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = split(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def main():
    data = [f"leaf-{i}".encode() for i in range(max(SAMPLED_SIZES))]
    cases = [(n, range(n), range(1, n + 1)) for n in range(1, FULL_UP_TO + 1)]
    cases += [(n, [0, 1, n // 2, n - 2, n - 1], [1, 2, n // 3, n - 1, n]) for n in SAMPLED_SIZES]
    out = {
        "about": "RFC 6962 oracle from merkle_oracle.py (hashlib). Leaf i is the ASCII bytes 'leaf-<i>'.",
        "roots": [{"size": n, "root": mth(data[:n]).hex()} for n in [0] + [c[0] for c in cases]],
        "inclusion": [
            {"index": m, "size": n, "path": [h.hex() for h in path(m, data[:n])]}
            for n, indexes, _ in cases
            for m in indexes
        ],
        "consistency": [
            {"old_size": m, "new_size": n, "path": [h.hex() for h in (subproof(m, data[:n], True) if m < n else [])]}
            for n, _, old_sizes in cases
            for m in old_sizes
        ],
    }
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "merkle-oracle.json")
    with open(target, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", target)


if __name__ == "__main__":
    main()
