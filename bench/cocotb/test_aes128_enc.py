"""cocotb speed benchmark of hdl/aes/rtl/aes128_enc.v (issue 13).

Streams N blocks back to back through aes128_enc (in_valid held high while blocks remain, out_ready
always high), checks every result, and reports simulated cycles per second and verified AES blocks
per second of wall time.  The first four blocks are the NIST SP 800-38A F.5.1 counter blocks under
the F.5.1 key, checked against keystream = plaintext XOR ciphertext read from
shared/vectors/aes_modes.json; the rest are random (key, block) pairs from a seeded PRNG, checked
against AES-128 of the `cryptography` package.

Environment: BENCH_BLOCKS (default 300), BENCH_SEED (default 1), BENCH_VECTORS (path of
aes_modes.json), BENCH_OUT (a file to which one JSON line with the figures is appended).

The testbench drives and samples at the falling clock edge (mid-cycle, all signals settled), so it
does not depend on how a simulator orders the rising-edge callback against the register update.
"""

import json
import os
import random
import time

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def aes128(key: int, block: int) -> int:
    """AES-128 encryption of one block with the `cryptography` package (ints, big-endian)."""
    enc = Cipher(algorithms.AES(key.to_bytes(16, "big")), modes.ECB()).encryptor()
    return int.from_bytes(enc.update(block.to_bytes(16, "big")) + enc.finalize(), "big")


def known_answers(path):
    """(key, block, expected) of the F.5.1 CTR blocks: AES(key, counter_i) = P_i XOR C_i."""
    with open(path) as f:
        v = json.load(f)["ctr"][0]
    key = int(v["key"], 16)
    ctr = int(v["initial_counter_block"], 16)
    pt = bytes.fromhex(v["plaintext"])
    ct = bytes.fromhex(v["ciphertext"])
    out = []
    for i in range(len(pt) // 16):
        ks = int.from_bytes(bytes(a ^ b for a, b in zip(pt[16 * i:16 * i + 16], ct[16 * i:16 * i + 16])), "big")
        out.append((key, (ctr + i) % (1 << 128), ks))
    return out


@cocotb.test()
async def stream_blocks(dut):
    n = int(os.environ.get("BENCH_BLOCKS", "300"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    here = os.path.dirname(os.path.abspath(__file__))
    vec = os.environ.get("BENCH_VECTORS", os.path.join(here, "..", "..", "..", "shared", "vectors", "aes_modes.json"))
    kat = known_answers(vec)
    assert n >= len(kat), f"BENCH_BLOCKS must be at least {len(kat)}"
    rng = random.Random(seed)
    jobs = [(k, b, e) for k, b, e in kat]
    jobs += [(rng.getrandbits(128), rng.getrandbits(128), None) for _ in range(n - len(kat))]

    cocotb.start_soon(Clock(dut.clk, 10, units="ns").start())
    dut.rst_n.value = 0
    dut.in_valid.value = 0
    dut.out_ready.value = 0
    dut.in_key.value = 0
    dut.in_block.value = 0
    for _ in range(3):
        await FallingEdge(dut.clk)
    dut.rst_n.value = 1
    await FallingEdge(dut.clk)

    sent = 0
    recv = 0
    cycles = 0
    # in_valid & in_ready at the last falling edge, i.e. the block was taken at the rising edge since
    pending_in = dut.in_ready.value == 1
    dut.out_ready.value = 1
    dut.in_key.value = jobs[0][0]
    dut.in_block.value = jobs[0][1]
    dut.in_valid.value = 1
    limit = 400 * n + 1000
    t0 = time.perf_counter()
    while recv < n:
        await FallingEdge(dut.clk)
        cycles += 1
        assert cycles < limit, f"no progress: {recv} of {n} blocks after {cycles} cycles"
        if pending_in:
            sent += 1
            if sent < n:
                dut.in_key.value = jobs[sent][0]
                dut.in_block.value = jobs[sent][1]
            else:
                dut.in_valid.value = 0
        pending_in = sent < n and dut.in_ready.value == 1
        if dut.out_valid.value == 1:
            got = dut.out_block.value.integer
            k, b, e = jobs[recv]
            want = e if e is not None else aes128(k, b)
            assert got == want, f"block {recv}: key {k:032x} in {b:032x}: got {got:032x}, want {want:032x}"
            recv += 1
    wall = time.perf_counter() - t0
    res = {
        "sim": cocotb.SIM_NAME + " " + cocotb.SIM_VERSION,
        "cocotb": cocotb.__version__,
        "blocks": n,
        "known_answers": len(kat),
        "cycles": cycles,
        "wall_s": wall,
        "cycles_per_second": cycles / wall,
        "aes_blocks_per_second": n / wall,
        "cycles_per_block": cycles / n,
    }
    dut._log.info("BENCH %s", json.dumps(res))
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "a") as f:
            f.write(json.dumps(res) + "\n")
