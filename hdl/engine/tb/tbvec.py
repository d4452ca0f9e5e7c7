#!/usr/bin/env python3
"""Convert the official NEA2/NIA2 JSON vectors into $readmemh files for the engine testbenches
(hdl/engine/tb/nea2_ctr_tb.v, nia2_cmac_tb.v, hdl/fpga/ice40_up5k/tb/tag_crypto_engine_ice40_tb.v).

Input : --vectors DIR, else $AIOTSEC_VECTORS, else <repo>/../shared/vectors: {nea2,nia2,kdf}.json;
        <repo>/profiles/provisional.toml (the DERIVE constants).
Output: nea2_vec.memh, nia2_vec.memh, hash_vec.memh, derive_vec.memh (one octet per line, stdlib
        only) and tbvec_engine.vh (`define NEA2_VEC_FILE / NIA2_VEC_FILE / HASH_VEC_FILE /
        DERIVE_VEC_FILE with absolute paths) in --out DIR (default <repo>/hdl/build, as
        scripts/hdl-test and hdl-check run it).
Run by FuseSoC as the generator tag_crypto_engine_tbvec of hdl/engine/tag_crypto_engine.core,
with the generator input file as its one argument: writes the same files into the current
directory, plus a .core file that names them (the .vh as an include file).

Record layout (octets): count of records (2, MSB first), then per record
  key(16) count(4) bearer(1) direction(1) length_bits(2)
  NEA2: plaintext(n) ciphertext(n)      NIA2: message(n) mac(4)        n = ceil(length_bits/8)
HASH records (hash_vec.memh, for the engine's HASH op): count (2), then per record
  hmac(1) klen(1) mlen(2) key(klen) message(mlen) digest(32)
  from kdf.json (TS 33.220 KDF answers, checked against hmac here), FIPS 180-4 / RFC 4231 examples
  by their definitions and seeded random keys / messages (multi-block), answers by hashlib / hmac.
DERIVE records (derive_vec.memh): count (2), then per record
  len32(1) K_AIoT(32, the first 16 used when len32 = 0) N_AIOTF(na_len) N_DEV(nd_len)
  KCommand_enc(16) KCommand_int(16)
  computed here from the definitions (TS 33.369 A.3 / A.4, provisional profile values:
  KAIOTF = HMAC-SHA-256(K_AIoT, FC || N_AIOTF || u16 || N_DEV || u16), K = octets 16..31 of
  HMAC-SHA-256(KAIOTF, FC4 || dist || 00 01 || alg || 00 01)).
"""
import hashlib
import hmac
import json
import os
import random
import sys
try:
    import tomllib
except ImportError:   # Python < 3.11: the profile defaults below
    tomllib = None

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "scripts"))
from tbvec_common import out_file, parse, vectors_dir, write_core  # noqa: E402


def octets(h, n):
    b = bytes.fromhex(h)
    if len(b) < n:
        raise SystemExit("vector data shorter than length_bits")
    return list(b[:n])


def record(v, kind):
    bits = int(v["length_bits"])
    n = (bits + 7) // 8
    out = list(bytes.fromhex(v["key"])) + list(bytes.fromhex(v["count"]))
    out += [int(v["bearer"]) & 0x1F, int(v["direction"]) & 1, (bits >> 8) & 0xFF, bits & 0xFF]
    if kind == "nea2":
        out += octets(v["plaintext"], n) + octets(v["ciphertext"], n)
    else:
        out += octets(v["message"], n) + list(bytes.fromhex(v["mac"]))
    assert len(bytes.fromhex(v["key"])) == 16 and len(bytes.fromhex(v["count"])) == 4
    return out


def profile():
    """The DERIVE constants of the provisional profile (the engine's parameter defaults)."""
    p = {}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "profiles",
                        "provisional.toml")
    if tomllib is not None and os.path.exists(path):
        with open(path, "rb") as f:
            p = tomllib.load(f)
    k, c, a = p.get("kaiotf", {}), p.get("command_keys", {}), p.get("algorithms", {})
    return dict(fc3=k.get("fc", 0x8A), na_off=k.get("n_aiotf_offset", 0), na_len=k.get("n_aiotf_len", 16),
                nd_off=k.get("n_dev_offset", 16), nd_len=k.get("n_dev_len", 8),
                fc4=c.get("fc", 0x69), enc=c.get("enc_distinguisher", 0x07),
                int=c.get("int_distinguisher", 0x08), nea2=a.get("nea2", 0x02), nia2=a.get("nia2", 0x02))


def hash_records(vdir):
    vecs = []  # (hmac, key, msg)
    with open(os.path.join(vdir, "kdf.json")) as f:
        for v in json.load(f)["vectors"]:
            if v.get("s") is None:
                continue
            key, m, exp = bytes.fromhex(v["key"]), bytes.fromhex(v["s"]), bytes.fromhex(v["expected"])
            if hmac.new(key, m, hashlib.sha256).digest() != exp:
                sys.exit("tbvec (engine): ERROR: %s: the reference disagrees" % v["name"])
            vecs.append((1, key, m))
    for m in (b"abc", b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", b""):
        vecs.append((0, b"", m))
    for k, m in ((b"\x0b" * 20, b"Hi There"), (b"Jefe", b"what do ya want for nothing?"),
                 (b"\xaa" * 20, b"\xdd" * 50), (bytes(range(1, 26)), b"\xcd" * 50)):
        vecs.append((1, k, m))
    rng = random.Random(0x4841)
    for i, n in enumerate([0, 55, 56, 64, 119, 200]):
        klen = [0, 64, 16, 33, 1, 32][i]
        k = bytes(rng.randrange(256) for _ in range(klen))
        m = bytes(rng.randrange(256) for _ in range(n))
        vecs.append((1, k, m) if i % 3 != 2 else (0, b"", m))
    out = [len(vecs) >> 8, len(vecs) & 255]
    for mode, k, m in vecs:
        d = hmac.new(k, m, hashlib.sha256).digest() if mode else hashlib.sha256(m).digest()
        out += [mode, len(k), len(m) >> 8, len(m) & 255] + list(k) + list(m) + list(d)
    return out, len(vecs)


def derive_records(pr):
    rng = random.Random(0x44455256)
    recs = []
    for i in range(4):
        len32 = i % 2
        k = bytes(rng.randrange(256) for _ in range(32))
        na = bytes(rng.randrange(256) for _ in range(pr["na_len"]))
        nd = bytes(rng.randrange(256) for _ in range(pr["nd_len"]))
        kk = k if len32 else k[:16]
        s3 = bytes([pr["fc3"]]) + na + pr["na_len"].to_bytes(2, "big") + nd + pr["nd_len"].to_bytes(2, "big")
        kaiotf = hmac.new(kk, s3, hashlib.sha256).digest()
        keys = []
        for dist, alg in ((pr["enc"], pr["nea2"]), (pr["int"], pr["nia2"])):
            s4 = bytes([pr["fc4"], dist, 0, 1, alg, 0, 1])
            keys.append(hmac.new(kaiotf, s4, hashlib.sha256).digest()[16:])
        recs += [len32] + list(k) + list(na) + list(nd) + list(keys[0]) + list(keys[1])
    return [0, 4] + recs, 4


def main():
    args, build = parse(__doc__.split("\n")[0], "directory holding nea2.json and nia2.json")
    vdir = vectors_dir(args.vectors, "engine")
    sizes = {}
    for kind in ("nea2", "nia2"):
        path = os.path.join(vdir, kind + ".json")
        with open(path) as f:
            vecs = json.load(f)["vectors"]
        data = [(len(vecs) >> 8) & 0xFF, len(vecs) & 0xFF]
        for v in vecs:
            data += record(v, kind)
        with out_file(os.path.join(build, kind + "_vec.memh")) as f:
            f.write("// generated by hdl/engine/tb/tbvec.py from %s (%d vectors)\n" % (path, len(vecs)))
            f.write("\n".join("%02x" % x for x in data) + "\n")
        sizes[kind] = len(data)
        print("tbvec (engine): %s: %d vectors, %d octets" % (kind, len(vecs), len(data)))
    for kind, (data, n) in (("hash", hash_records(vdir)), ("derive", derive_records(profile()))):
        with out_file(os.path.join(build, kind + "_vec.memh")) as f:
            f.write("// generated by hdl/engine/tb/tbvec.py (%d records, hashlib / hmac)\n" % n)
            f.write("\n".join("%02x" % x for x in data) + "\n")
        sizes[kind] = len(data)
        print("tbvec (engine): %s: %d records, %d octets" % (kind, n, len(data)))
    # $readmemh resolves paths against the simulator's working directory: publish absolute paths
    # through an include file found on the include path (-I hdl/build, or the generated core).
    with out_file(os.path.join(build, "tbvec_engine.vh")) as f:
        f.write("// generated by hdl/engine/tb/tbvec.py\n")
        for kind in ("nea2", "nia2", "hash", "derive"):
            f.write('`define %s_VEC_FILE "%s"\n' % (kind.upper(), os.path.join(build, kind + "_vec.memh")))
            f.write('`define %s_VEC_LEN %d\n' % (kind.upper(), sizes[kind]))
    write_core(args, build, "engine_vectors", "tbvec_engine.vh",
               ["nea2_vec.memh", "nia2_vec.memh", "hash_vec.memh", "derive_vec.memh"], "engine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
