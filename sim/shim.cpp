// extern "C" shim between the Verilated models and src/sim (Rust). Kept small: construction,
// one call per clock cycle (inputs in, outputs sampled before and after the rising edge), VCD
// tracing, and the popcount of the secret registers. The frame buffer is owned by Rust; the cycle
// function only reads it to answer an acknowledged read in the same cycle.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "verilated.h"
#include "verilated_fst_c.h"
#include "verilated_vcd_c.h"

static inline uint32_t aiotsec_popcount(uint8_t v) { return __builtin_popcount(v); }
static inline uint32_t aiotsec_popcount(uint16_t v) { return __builtin_popcount(v); }
static inline uint32_t aiotsec_popcount(uint32_t v) { return __builtin_popcount(v); }
static inline uint32_t aiotsec_popcount(uint64_t v) { return __builtin_popcountll(v); }
template <std::size_t N>
static inline uint32_t aiotsec_popcount(const VlWide<N>& w) {
    uint32_t n = 0;
    for (std::size_t i = 0; i < N; ++i) n += __builtin_popcount(w[i]);
    return n;
}
template <class T, std::size_t N>
static inline uint32_t aiotsec_popcount(const VlUnpacked<T, N>& a) {
    uint32_t n = 0;
    for (std::size_t i = 0; i < N; ++i) n += aiotsec_popcount(a[i]);
    return n;
}

// Register snapshots for the toggle counts (regs_gen.h): each register as 32-bit words.
static inline void aiotsec_snap(uint8_t v, uint32_t*& w) { *w++ = v; }
static inline void aiotsec_snap(uint16_t v, uint32_t*& w) { *w++ = v; }
static inline void aiotsec_snap(uint32_t v, uint32_t*& w) { *w++ = v; }
static inline void aiotsec_snap(uint64_t v, uint32_t*& w) {
    *w++ = static_cast<uint32_t>(v);
    *w++ = static_cast<uint32_t>(v >> 32);
}
template <std::size_t N>
static inline void aiotsec_snap(const VlWide<N>& v, uint32_t*& w) {
    for (std::size_t i = 0; i < N; ++i) *w++ = v[i];
}
template <class T, std::size_t N>
static inline void aiotsec_snap(const VlUnpacked<T, N>& a, uint32_t*& w) {
    for (std::size_t i = 0; i < N; ++i) aiotsec_snap(a[i], w);
}

#include "Vaes.h"
#include "Vtce.h"
#include "Vtce_f1.h"
#include "Vtce_f2.h"
#include "Vtce_f3.h"
#include "Vtce_fst.h"
#include "Vtce_leak.h"
#include "secrets_gen.h"
#include "regs_gen.h"

#include "guarded_vcd_file.h"

// FST: gtkwave's fstapi (compiled by sim/build with fclose renamed to aiot_fst_fclose) writes
// through stdio and ignores write errors; a failed write leaves the stream's error flag set, which
// is collected here when the stream is closed (at the latest when the trace is closed).
static std::atomic<int> g_fst_error{0};
extern "C" int aiot_fst_fclose(FILE* f) {
    const bool bad = f != nullptr && ferror(f) != 0;
    const int rc = std::fclose(f);
    if (bad || rc != 0) {
        int expected = 0;
        g_fst_error.compare_exchange_strong(expected, errno ? errno : EIO);
    }
    return rc;
}

extern "C" {

// ---- tag_crypto_engine -----------------------------------------------------------------------
struct AiotTceIn {
    uint32_t addr;
    uint32_t len;
    uint8_t rst_n;
    uint8_t cmd_valid;
    uint8_t cmd_op;
    uint8_t dat_valid;    // command-octet stream (keys, COUNT/BEARER/DIRECTION)
    uint8_t dat_data;
    uint8_t rsp_ready;
    uint8_t ack_en;       // acknowledge a pending memory request this cycle
    uint8_t idle_rdata;   // value driven on mem_rdata when no read is acknowledged
    uint8_t zeroize;      // the engine's zeroize input (clear from any state)
    uint8_t pad_in[3];
};

struct AiotTceOut {
    uint32_t rsp_mac;
    uint32_t mem_addr;
    uint8_t cmd_ready;
    uint8_t rsp_valid;
    uint8_t rsp_status;
    uint8_t mem_req;
    uint8_t mem_we;
    uint8_t mem_wdata;
    uint8_t mem_ack;      // what the harness drove (pre-edge sample only)
    uint8_t mem_rdata;    // ditto
    uint8_t dat_ready;
    uint8_t mem_own;      // the engine owns the frame buffer (not idle)
    uint8_t pad[2];
};

// Layout shared with src/sim/mod.rs (repr(C)); the Rust side asserts the same sizes.
static_assert(sizeof(AiotTceIn) == 20, "AiotTceIn layout");
static_assert(sizeof(AiotTceOut) == 20, "AiotTceOut layout");

}  // extern "C"

namespace {

// aiot_tce_new's model number of the FST-traced build (the others are the FAULT values).
constexpr uint32_t AIOT_TCE_FST = 0x100;
// ... and of the planted-leak wrapper.
constexpr uint32_t AIOT_TCE_LEAK = 0x101;

template <class M>
void tce_read(M* m, AiotTceOut* o) {
    o->rsp_mac = m->rsp_mac;
    o->mem_addr = m->mem_addr;
    o->cmd_ready = m->cmd_ready;
    o->rsp_valid = m->rsp_valid;
    o->rsp_status = m->rsp_status;
    o->mem_req = m->mem_req;
    o->mem_we = m->mem_we;
    o->mem_wdata = m->mem_wdata;
    o->mem_ack = m->mem_ack;
    o->mem_rdata = m->mem_rdata;
    o->dat_ready = m->dat_ready;
    o->mem_own = m->mem_own;
}

struct TceBase {
    virtual ~TceBase() = default;
    virtual void step(const AiotTceIn* in, const uint8_t* mem, uint32_t mem_len, AiotTceOut* pre,
                      AiotTceOut* post) = 0;
    virtual int trace_open(const char* path) = 0;
    virtual void trace_close() = 0;
    virtual int trace_error() = 0;
    virtual uint32_t secret_bits() = 0;
    virtual const char* secret_names() = 0;
    virtual uint64_t cycles() = 0;
    virtual const char* reg_layout() = 0;
    virtual uint32_t reg_nwords() = 0;
    virtual void reg_snap(uint32_t* w) = 0;
    // The tag's key store (K_AIoT, 16 or 32 octets) behind the ltk_idx / ltk_data read port.
    uint8_t ltk[32] = {};
    uint8_t ltk_len32 = 0;
};

// How a trace of kind T (VerilatedVcdC or VerilatedFstC) is created and checked.
template <class T>
struct TraceKind;
template <>
struct TraceKind<VerilatedVcdC> {
    static VerilatedVcdC* make(GuardedVcdFile* f) { return new VerilatedVcdC(f); }
    static int error(const GuardedVcdFile& f) { return f.error(); }
};
template <>
struct TraceKind<VerilatedFstC> {
    static VerilatedFstC* make(GuardedVcdFile*) { return new VerilatedFstC; }
    static int error(const GuardedVcdFile&) { return g_fst_error.load(); }
};

template <class M, uint32_t (*SECRETS)(decltype(M::rootp)), const char* const* NAMES,
          class TRACE = VerilatedVcdC>
struct TceSim final : TceBase {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<M> m;
    GuardedVcdFile file;  // declared before vcd: outlives it
    std::unique_ptr<TRACE> vcd;
    uint64_t t = 0;
    uint8_t last_req = 0, last_we = 0;
    uint32_t last_addr = 0;

    TceSim() : ctx(new VerilatedContext) {  // also becomes the thread's context
        ctx->traceEverOn(true);
        m.reset(new M(ctx.get(), "tce"));
        m->clk = 0;
        m->rst_n = 0;
        m->eval();
    }
    ~TceSim() override {
        // Verilator registers and erases scopes through the *thread's* current context: point it
        // at this model's context while tearing down, and never leave it dangling afterwards.
        Verilated::threadContextp(ctx.get());
        trace_close();
        m->final();
        m.reset();
        ctx.reset();
        Verilated::threadContextp(Verilated::defaultContextp());
    }

    void drive_mem(const AiotTceIn* in, const uint8_t* mem, uint32_t mem_len, uint8_t req,
                   uint8_t we, uint32_t addr) {
        const uint8_t ack = (in->ack_en && req) ? 1 : 0;
        m->mem_ack = ack;
        m->mem_rdata = (ack && !we) ? (addr < mem_len ? mem[addr] : 0) : in->idle_rdata;
    }

    void step(const AiotTceIn* in, const uint8_t* mem, uint32_t mem_len, AiotTceOut* pre,
              AiotTceOut* post) override {
        M* d = m.get();
        d->rst_n = in->rst_n;
        d->zeroize = in->zeroize;
        d->cmd_valid = in->cmd_valid;
        d->cmd_op = in->cmd_op;
        d->dat_valid = in->dat_valid;
        d->dat_data = in->dat_data;
        d->cmd_addr = in->addr;
        d->cmd_len = in->len;
        d->rsp_ready = in->rsp_ready;
        d->ltk_len32 = ltk_len32;
        drive_mem(in, mem, mem_len, last_req, last_we, last_addr);
        d->ltk_data = ltk[d->ltk_idx & 31];
        d->clk = 0;
        d->eval();
        // The memory answer depends on the request; settle it if the request changed with the
        // inputs (a combinational path), which a registered request never does.
        for (int i = 0; i < 3; ++i) {
            const uint8_t ack0 = d->mem_ack, rd0 = d->mem_rdata;
            const uint8_t k0 = d->ltk_data;
            drive_mem(in, mem, mem_len, d->mem_req, d->mem_we, d->mem_addr);
            d->ltk_data = ltk[d->ltk_idx & 31];  // the key store's read port (combinational)
            if (d->mem_ack == ack0 && d->mem_rdata == rd0 && d->ltk_data == k0) break;
            d->eval();
        }
        if (vcd) vcd->dump(t);
        tce_read(d, pre);
        d->clk = 1;
        d->eval();
        if (vcd) vcd->dump(t + 1);
        t += 2;
        ctx->time(t);
        tce_read(d, post);
        last_req = post->mem_req;
        last_we = post->mem_we;
        last_addr = post->mem_addr;
    }
    int trace_open(const char* path) override {
        trace_close();
        vcd.reset(TraceKind<TRACE>::make(&file));
        m->trace(vcd.get(), 99);
        vcd->open(path);
        if (!vcd->isOpen()) {
            vcd.reset();
            return -1;
        }
        return 0;
    }
    void trace_close() override {
        if (vcd) {
            vcd->close();
            vcd.reset();
        }
    }
    int trace_error() override { return TraceKind<TRACE>::error(file); }
    uint32_t secret_bits() override { return SECRETS(m->rootp); }
    const char* secret_names() override { return *NAMES; }
    uint64_t cycles() override { return t / 2; }
    const char* reg_layout() override { return aiotsec_reg_layout(m->rootp); }
    uint32_t reg_nwords() override { return aiotsec_reg_nwords(m->rootp); }
    void reg_snap(uint32_t* w) override { aiotsec_reg_snap(m->rootp, w); }
};

}  // namespace

extern "C" {

void* aiot_tce_new(uint32_t variant) {
    try {
        switch (variant) {
            case 0: return static_cast<TceBase*>(new TceSim<Vtce, Vtce_secret_bits_impl, &Vtce_secret_names>());
            case 1: return static_cast<TceBase*>(new TceSim<Vtce_f1, Vtce_f1_secret_bits_impl, &Vtce_f1_secret_names>());
            case 2: return static_cast<TceBase*>(new TceSim<Vtce_f2, Vtce_f2_secret_bits_impl, &Vtce_f2_secret_names>());
            case 3: return static_cast<TceBase*>(new TceSim<Vtce_f3, Vtce_f3_secret_bits_impl, &Vtce_f3_secret_names>());
            // the planted-leak wrapper (hdl/leak), whose engine has FAULT 0
            case AIOT_TCE_LEAK: return static_cast<TceBase*>(new TceSim<Vtce_leak, Vtce_leak_secret_bits_impl, &Vtce_leak_secret_names>());
            // the design as built, traced to FST (Verilated with --trace-fst)
            case AIOT_TCE_FST:
                return static_cast<TceBase*>(
                    new TceSim<Vtce_fst, Vtce_fst_secret_bits_impl, &Vtce_fst_secret_names, VerilatedFstC>());
            default: return nullptr;
        }
    } catch (...) {
        return nullptr;
    }
}
void aiot_tce_delete(void* h) { delete static_cast<TceBase*>(h); }
void aiot_tce_step(void* h, const AiotTceIn* in, const uint8_t* mem, uint32_t mem_len, AiotTceOut* pre,
                   AiotTceOut* post) {
    static_cast<TceBase*>(h)->step(in, mem, mem_len, pre, post);
}
// Provision the tag's key store: `len` (16 or 32) octets of K_AIoT; any other length empties it.
void aiot_tce_set_key_store(void* h, const uint8_t* key, uint32_t len) {
    TceBase* b = static_cast<TceBase*>(h);
    std::memset(b->ltk, 0, sizeof b->ltk);
    b->ltk_len32 = 0;
    if ((len == 16 || len == 32) && key != nullptr) {
        std::memcpy(b->ltk, key, len);
        b->ltk_len32 = len == 32 ? 1 : 0;
    }
}
int aiot_tce_trace_open(void* h, const char* path) { return static_cast<TceBase*>(h)->trace_open(path); }
void aiot_tce_trace_close(void* h) { static_cast<TceBase*>(h)->trace_close(); }
int aiot_tce_trace_error(void* h) { return static_cast<TceBase*>(h)->trace_error(); }
uint32_t aiot_tce_secret_bits(void* h) { return static_cast<TceBase*>(h)->secret_bits(); }
const char* aiot_tce_secret_names(void* h) { return static_cast<TceBase*>(h)->secret_names(); }
// Every flip-flop (regs_gen.h): "name:bits:words,..." and a snapshot of all of them (nwords words).
const char* aiot_tce_reg_layout(void* h) { return static_cast<TceBase*>(h)->reg_layout(); }
uint32_t aiot_tce_reg_nwords(void* h) { return static_cast<TceBase*>(h)->reg_nwords(); }
void aiot_tce_reg_snap(void* h, uint32_t* w, uint32_t cap) {
    TceBase* b = static_cast<TceBase*>(h);
    if (cap >= b->reg_nwords()) b->reg_snap(w);
}

// ---- aes128_enc ------------------------------------------------------------------------------
struct AiotAesIn {
    uint32_t key[4];
    uint32_t block[4];
    uint8_t rst_n;
    uint8_t in_valid;
    uint8_t out_ready;
    uint8_t pad;
};
struct AiotAesOut {
    uint32_t block[4];
    uint8_t in_ready;
    uint8_t out_valid;
    uint8_t pad[2];
};

struct AesSim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vaes> m;
    GuardedVcdFile file;  // declared before vcd: outlives it
    std::unique_ptr<VerilatedVcdC> vcd;
    uint64_t t = 0;
};

static void aes_read(Vaes* m, AiotAesOut* o) {
    for (int i = 0; i < 4; ++i) o->block[i] = m->out_block[i];
    o->in_ready = m->in_ready;
    o->out_valid = m->out_valid;
}

void* aiot_aes_new() {
    try {
        AesSim* s = new AesSim;
        s->ctx.reset(new VerilatedContext);  // also becomes the thread's context
        s->ctx->traceEverOn(true);
        s->m.reset(new Vaes(s->ctx.get(), "aes"));
        s->m->clk = 0;
        s->m->rst_n = 0;
        s->m->eval();
        return s;
    } catch (...) {
        return nullptr;
    }
}
void aiot_aes_trace_close(void* h) {
    AesSim* s = static_cast<AesSim*>(h);
    if (s->vcd) {
        s->vcd->close();
        s->vcd.reset();
    }
}
void aiot_aes_delete(void* h) {
    AesSim* s = static_cast<AesSim*>(h);
    Verilated::threadContextp(s->ctx.get());  // see ~TceSim
    aiot_aes_trace_close(h);
    s->m->final();
    s->m.reset();
    s->ctx.reset();
    delete s;
    Verilated::threadContextp(Verilated::defaultContextp());
}
void aiot_aes_step(void* h, const AiotAesIn* in, AiotAesOut* pre, AiotAesOut* post) {
    AesSim* s = static_cast<AesSim*>(h);
    Vaes* m = s->m.get();
    m->rst_n = in->rst_n;
    m->in_valid = in->in_valid;
    m->out_ready = in->out_ready;
    for (int i = 0; i < 4; ++i) {
        m->in_key[i] = in->key[i];
        m->in_block[i] = in->block[i];
    }
    m->clk = 0;
    m->eval();
    if (s->vcd) s->vcd->dump(s->t);
    aes_read(m, pre);
    m->clk = 1;
    m->eval();
    if (s->vcd) s->vcd->dump(s->t + 1);
    s->t += 2;
    s->ctx->time(s->t);
    aes_read(m, post);
}
int aiot_aes_trace_open(void* h, const char* path) {
    AesSim* s = static_cast<AesSim*>(h);
    aiot_aes_trace_close(h);
    s->vcd.reset(new VerilatedVcdC(&s->file));
    s->m->trace(s->vcd.get(), 99);
    s->vcd->open(path);
    if (!s->vcd->isOpen()) {
        s->vcd.reset();
        return -1;
    }
    return 0;
}
int aiot_aes_trace_error(void* h) { return static_cast<AesSim*>(h)->file.error(); }
uint32_t aiot_aes_secret_bits(void* h) {
    return Vaes_secret_bits_impl(static_cast<AesSim*>(h)->m->rootp);
}

}  // extern "C"
