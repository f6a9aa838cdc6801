#!/usr/bin/env python3
"""An independent re-implementation of Spire's allocation derivation, written from
crates/trial/README.md (not from the Rust code), checked against v1.json.

Standard library only: hashlib/hmac for SHA-256 and HMAC, ChaCha20 written out below from
RFC 8439 §2.3 and checked against its test vector. The Ed25519 head signature is checked too when
the `cryptography` package happens to be installed.

Run: python3 crates/trial/test-vectors/derivation_oracle.py   (exit 0 = every vector reproduced)
"""
import hashlib
import hmac
import json
import os
import struct
import sys

ALGORITHM_VERSION = "spire-trial-allocation/1"


# --- canonical encoding: big-endian integers, u32 length prefix for strings and byte strings ---
def u8(v): return struct.pack(">B", v)
def u32(v): return struct.pack(">I", v)
def u64(v): return struct.pack(">Q", v)
def i64(v): return struct.pack(">q", v)
def blob(b): return u32(len(b)) + b
def text(s): return blob(s.encode())
def stratum_bytes(pairs): return u32(len(pairs)) + b"".join(text(f) + text(l) for f, l in pairs)
def sha256(b): return hashlib.sha256(b).digest()


class Reader:
    def __init__(self, data): self.data, self.at = data, 0
    def take(self, n):
        chunk = self.data[self.at:self.at + n]; self.at += n
        assert len(chunk) == n, "truncated"
        return chunk
    def u8(self): return self.take(1)[0]
    def u32(self): return struct.unpack(">I", self.take(4))[0]
    def text(self): return self.take(self.u32()).decode()


def parse_design(data):
    r = Reader(data)
    assert r.text() == "spire-trial/design/v1"
    d = {"trial_id": r.text(), "version": r.u32(), "ratio": (r.u32(), r.u32())}
    d["factors"] = [r.text() for _ in range(r.u32())]
    method = r.u8()
    if method == 1:
        d["method"] = "complete"
    elif method == 2:
        d["method"] = "stratified_blocks"
        d["multiples"] = [r.u32() for _ in range(r.u32())]
    elif method == 3:
        d["method"] = "minimisation"
        d["weights"] = [r.u32() for _ in range(r.u32())]
        d["imbalance"] = {1: "range", 2: "variance"}[r.u8()]
        d["p"] = (r.u32(), r.u32())
    assert r.at == len(data), "trailing bytes"
    return d


# --- ChaCha20 (RFC 8439 §2.3), 96-bit nonce, 32-bit block counter ---
def chacha20_block(key, counter, nonce):
    def rotl(v, n): return ((v << n) & 0xFFFFFFFF) | (v >> (32 - n))
    state = list(struct.unpack("<4I", b"expand 32-byte k")) + list(struct.unpack("<8I", key)) \
        + [counter] + list(struct.unpack("<3I", nonce))
    x = state[:]
    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF; x[d] = rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF; x[b] = rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF; x[d] = rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF; x[b] = rotl(x[b] ^ x[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<16I", *[(a + b) & 0xFFFFFFFF for a, b in zip(x, state)])


# RFC 8439 §2.3.2 test vector.
assert chacha20_block(bytes(range(32)), 1, bytes.fromhex("000000090000004a00000000"))[:16].hex() \
    == "10f1e7e4d13b5915500fdd1fa32071c4"


class Draws:
    """ChaCha20 keystream under HMAC-SHA256(key, context), zero nonce, counter from 0."""
    def __init__(self, key, context):
        self.seed = hmac.new(key, context, hashlib.sha256).digest()
        self.counter, self.buffer = 0, b""
    def next_u32(self):
        if not self.buffer:
            self.buffer = chacha20_block(self.seed, self.counter, bytes(12)); self.counter += 1
        word, self.buffer = self.buffer[:4], self.buffer[4:]
        return struct.unpack("<I", word)[0]
    def below(self, bound):
        accept_below = 2**32 - 2**32 % bound
        while True:
            x = self.next_u32()
            if x < accept_below:
                return x % bound
    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def block_context(trial, version, pairs, block):
    return text("spire-trial/draw-context/v1") + text(trial) + u32(version) + u8(1) + stratum_bytes(pairs) + u64(block)


def allocation_context(trial, version, number):
    return text("spire-trial/draw-context/v1") + text(trial) + u32(version) + u8(2) + u64(number)


def block_arms(key, d, pairs, block):
    draws = Draws(key, block_context(d["trial_id"], d["version"], pairs, block))
    m = d["multiples"][draws.below(len(d["multiples"]))]
    arms = ["P"] * (m * d["ratio"][0]) + ["C"] * (m * d["ratio"][1])
    draws.shuffle(arms)
    return arms


def ratio_arm(d, draw):
    return "P" if draw < d["ratio"][0] else "C"


def allocate_sequence(key, d, arrivals):
    """Returns [(arm, position)] replaying the README's allocator with in-memory state."""
    slots, margins, out = {}, {}, []
    for number, pairs in enumerate(arrivals):
        pairs = [tuple(p) for p in pairs]
        if d["method"] == "stratified_blocks":
            block, offset = slots.get(tuple(pairs), (0, 0))
            arms = block_arms(key, d, pairs, block)
            arm = arms[offset]
            slots[tuple(pairs)] = (block, offset + 1) if offset + 1 < len(arms) else (block + 1, 0)
            position = [number, block, offset]
        else:
            draws = Draws(key, allocation_context(d["trial_id"], d["version"], number))
            if d["method"] == "complete":
                arm = ratio_arm(d, draws.below(sum(d["ratio"])))
            else:
                rp, rc = d["ratio"]
                def score(candidate):
                    total = 0
                    for factor, weight in zip(d["factors"], d["weights"]):
                        level = dict(pairs)[factor]
                        p, c = margins.get((factor, level), (0, 0))
                        p, c = (p + 1, c) if candidate == "P" else (p, c + 1)
                        diff = abs(p * rc - c * rp)
                        total += weight * (diff if d["imbalance"] == "range" else diff * diff)
                    return total
                sp, sc = score("P"), score("C")
                if sp == sc:
                    arm = ratio_arm(d, draws.below(sum(d["ratio"])))
                else:
                    preferred = "P" if sp < sc else "C"
                    num, den = d["p"]
                    arm = preferred if draws.below(den) < num else ("C" if preferred == "P" else "P")
            position = [number]
        for factor, level in pairs:
            p, c = margins.get((factor, level), (0, 0))
            margins[(factor, level)] = (p + 1, c) if arm == "P" else (p, c + 1)
        out.append((arm, position))
    return out


def merkle_root(hashes):
    if not hashes:
        return sha256(b"")
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return sha256(b"\x01" + merkle_root(hashes[:k]) + merkle_root(hashes[k:]))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    vectors = json.load(open(os.path.join(here, "v1.json")))
    inputs, outputs = vectors["inputs"], vectors["outputs"]
    key = bytes.fromhex(inputs["key"])
    raw_designs = [bytes.fromhex(h) for h in inputs["designs"]]
    designs = [parse_design(b) for b in raw_designs]
    checks = 0

    def check(name, mine, published):
        nonlocal checks
        if mine != published:
            print(f"MISMATCH {name}:\n  oracle    {mine}\n  published {published}")
            sys.exit(1)
        checks += 1

    for i, (raw, out) in enumerate(zip(raw_designs, outputs["designs"])):
        check(f"design {i} digest", sha256(raw).hex(), out["digest"])
        commitment = sha256(text("spire-trial/commitment/v1") + blob(key) + blob(raw) + text(ALGORITHM_VERSION))
        check(f"design {i} commitment", commitment.hex(), out["commitment"])

    for i, (spec, out) in enumerate(zip(inputs["draw_streams"], outputs["draw_streams"])):
        if "stratum" in spec:
            context = block_context(spec["trial_id"], spec["design_version"], spec["stratum"], spec["block_number"])
        else:
            context = allocation_context(spec["trial_id"], spec["design_version"], spec["allocation_number"])
        check(f"stream {i} context", context.hex(), out["context"])
        raw = Draws(key, context)
        check(f"stream {i} seed", raw.seed.hex(), out["seed"])
        check(f"stream {i} first u32", [raw.next_u32() for _ in range(16)], out["first_u32"])
        bounded = Draws(key, context)
        check(f"stream {i} below", [bounded.below(b) for b in spec["bounds"]], out["below"])
        shuffled, items = Draws(key, context), list(range(10))
        shuffled.shuffle(items)
        check(f"stream {i} shuffle", items, out["shuffle_0_to_9"])

    for i, (spec, out) in enumerate(zip(inputs["blocks"], outputs["blocks"])):
        d = designs[spec["design"]]
        blocks = ["".join(block_arms(key, d, spec["stratum"], b)) for b in range(spec["blocks"])]
        check(f"blocks {i}", blocks, out)

    for i, (spec, out) in enumerate(zip(inputs["allocation_sequences"], outputs["allocation_sequences"])):
        result = allocate_sequence(key, designs[spec["design"]], spec["arrivals"])
        check(f"sequence {i} arms", "".join(a for a, _ in result), out["arms"])
        check(f"sequence {i} positions", [p for _, p in result], out["positions"])

    # The ledger: rebuild every leaf's bytes from the inputs and the allocations above.
    spec, out = inputs["ledger"], outputs["ledger"]
    d = designs[spec["design"]]
    amended_raw = raw_designs[spec["amendment"]]
    amended = designs[spec["amendment"]]
    subjects = spec["subjects"]
    allocations = allocate_sequence(key, d, [s["stratum"] for s in subjects])

    def common(index, version, hour, kind):
        return text("spire-trial/leaf/v1") + u64(index) + text(d["trial_id"]) + u32(version) \
            + i64(spec["start_unix_seconds"] + 3600 * hour) + u32(250_000_000) + text(spec["actor_id"]) + u8(kind)

    leaves = []
    for i, (subject, (arm, position)) in enumerate(zip(subjects, allocations)):
        leaves.append(common(i, d["version"], i, 1) + stratum_bytes(subject["stratum"]) + u64(position[0])
                      + u8(1) + u64(position[1]) + u32(position[2]) + bytes.fromhex(subject["pseudonym"])
                      + u8(1 if arm == "P" else 2) + bytes.fromhex(subject["baseline_hash"]))
    n = len(subjects)
    leaves.append(common(n, d["version"], n, 2) + u64(0) + bytes.fromhex(subjects[0]["pseudonym"])
                  + bytes.fromhex(spec["annotation_note_hash"]))
    leaves.append(common(n + 1, amended["version"], n + 1, 3) + sha256(amended_raw))
    hashes = [sha256(b"\x00" + leaf) for leaf in leaves]
    check("leaf bytes", [l.hex() for l in leaves], [l["bytes"] for l in out["leaves"]])
    check("leaf hashes", [h.hex() for h in hashes], [l["leaf_hash"] for l in out["leaves"]])
    check("roots", [merkle_root(hashes[:k]).hex() for k in range(len(hashes) + 1)], out["roots"])

    head = out["signed_head"]
    signed = text("spire-trial/tree-head/v1") + text(d["trial_id"]) + u64(len(hashes)) + merkle_root(hashes) \
        + i64(spec["start_unix_seconds"] + 3600 * (n + 2)) + u32(250_000_000)
    check("signed head bytes", signed.hex(), head["signed_bytes"])
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
        private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(spec["head_signing_seed"]))
        check("head public key", private.public_key().public_bytes_raw().hex(), head["public_key"])
        check("head signature", private.sign(signed).hex(), head["signature"])
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(head["public_key"])).verify(bytes.fromhex(head["signature"]), signed)
    except ImportError:
        print("(cryptography not installed: Ed25519 signature not checked)")

    print(f"ok: {checks} published values reproduced independently")


if __name__ == "__main__":
    main()
