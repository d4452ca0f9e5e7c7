// Plain C++ Verilator testbench (no Rust): back-to-back AES blocks on aes128_enc and NIA2 over a
// frame buffer on tag_crypto_engine, no stalls, to compare the raw simulation speed with the Rust
// harness (`aiotsec cosim`). Built and run by scripts/cpp-bench.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vaes.h"
#include "Vtce.h"
#include "verilated.h"

static double now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

template <class M>
static inline void tick(M* m) {
    m->clk = 0;
    m->eval();
    m->clk = 1;
    m->eval();
}

int main(int argc, char** argv) {
    const uint64_t blocks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
    const uint64_t nia_ops = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;

    // ---- AES: back-to-back blocks (in_valid held, out_ready held).
    {
        VerilatedContext ctx;
        Vaes m(&ctx);
        m.rst_n = 0;
        for (int i = 0; i < 4; ++i) tick(&m);
        m.rst_n = 1;
        m.in_valid = 1;
        m.out_ready = 1;
        for (int i = 0; i < 4; ++i) m.in_key[i] = 0x01020304u * (i + 1);
        uint64_t done = 0, cycles = 0, acc = 0;
        const double t0 = now();
        while (done < blocks) {
            m.in_block[0] = (uint32_t)done;
            m.clk = 0;
            m.eval();
            const bool out = m.out_valid && m.out_ready;
            if (out) acc ^= m.out_block[0];
            m.clk = 1;
            m.eval();
            ++cycles;
            if (out) ++done;
        }
        const double dt = now() - t0;
        std::printf("aes128_enc: %llu blocks, %llu cycles (%.1f cycles/block), %.2f M cycles/s, %.0f blocks/s (x%llx)\n",
                    (unsigned long long)done, (unsigned long long)cycles, (double)cycles / done,
                    cycles / dt / 1e6, done / dt, (unsigned long long)acc);
        m.final();
    }

    // ---- Engine: LOAD_KEYS, then NIA2 over 1024 bits, memory acknowledged in the same cycle; the
    // command octets (keys, COUNT/BEARER/DIRECTION) offered back to back on dat_*.
    {
        VerilatedContext ctx;
        Vtce m(&ctx);
        std::vector<uint8_t> mem(4096);
        for (size_t i = 0; i < mem.size(); ++i) mem[i] = (uint8_t)(i * 13 + 7);
        m.zeroize = 0;
        m.rst_n = 0;
        for (int i = 0; i < 4; ++i) tick(&m);
        m.rst_n = 1;
        // After reset the engine scrubs itself (cmd_ready low): wait for it.
        for (int i = 0; i < 4096 && !m.cmd_ready; ++i) tick(&m);
        uint64_t cycles = 0, ops = 0;
        uint32_t macx = 0;
        const double t0 = now();
        auto run = [&](uint8_t op, uint32_t len) {
            // LOAD_KEYS: KCommand_enc octets 0..15, KCommand_int octets 0..15; NEA2 / NIA2:
            // COUNT[31:24] .. COUNT[7:0], {BEARER, DIRECTION, 2'b00}; other ops: none.
            uint8_t oct[32];
            size_t n = 0, k = 0;
            if (op == 0) {
                for (int i = 0; i < 16; ++i) oct[n++] = (uint8_t)(0x11 * (i + 1));
                for (int i = 0; i < 16; ++i) oct[n++] = (uint8_t)(0x22 * (i + 1));
            } else if (op == 2 || op == 3) {
                const uint32_t count = 0x12345678u;
                for (int i = 3; i >= 0; --i) oct[n++] = (uint8_t)(count >> (8 * i));
                oct[n++] = (uint8_t)((5u << 3) | (1u << 2));  // BEARER 5, DIRECTION 1
            }
            m.cmd_valid = 1;
            m.cmd_op = op;
            m.cmd_addr = 0;
            m.cmd_len = len;
            m.rsp_ready = 1;
            for (;;) {
                m.dat_valid = !m.cmd_valid && k < n;  // after the command handshake
                m.dat_data = m.dat_valid ? oct[k] : 0;
                m.mem_ack = m.mem_req;
                m.mem_rdata = (m.mem_req && !m.mem_we) ? mem[m.mem_addr & 4095] : 0;
                m.clk = 0;
                m.eval();
                const bool accepted = m.cmd_valid && m.cmd_ready;
                const bool octet = m.dat_valid && m.dat_ready;
                const bool rsp = m.rsp_valid && m.rsp_ready;
                if (m.mem_req && m.mem_ack && m.mem_we) mem[m.mem_addr & 4095] = m.mem_wdata;
                if (rsp) macx ^= m.rsp_mac;
                m.clk = 1;
                m.eval();
                ++cycles;
                if (accepted) m.cmd_valid = 0;
                if (octet) ++k;
                if (rsp) return;
            }
        };
        run(0, 0);
        for (uint64_t i = 0; i < nia_ops; ++i, ++ops) run(3, 1024);
        const double dt = now() - t0;
        std::printf("tag_crypto_engine: %llu NIA2(1024 bits), %llu cycles (%.0f cycles/op), %.2f M cycles/s (x%08x)\n",
                    (unsigned long long)ops, (unsigned long long)cycles, (double)cycles / (ops ? ops : 1),
                    cycles / dt / 1e6, macx);
        m.final();
    }
    return 0;
}
