// extern "C" shim between the Verilated engine_uart_bridge (prefix Vbridge: UART + bridge +
// engine + frame buffer, hdl/bridge) and src/sim/bridge.rs (Rust, feature `serial`). The board is
// driven at its pins only: rst_n and uart_rx in; uart_tx, led_busy and led_err out. One call runs
// up to `n` clock cycles with the inputs held and stops early on the cycle uart_tx changes, so the
// Rust side decodes the TX line edge by edge without a call per cycle.
#include <cstdint>
#include <memory>

#include "verilated.h"
#include "verilated_vcd_c.h"

#include "Vbridge.h"

extern "C" {

struct AiotBridgeOut {
    uint8_t uart_tx;
    uint8_t led_busy;
    uint8_t led_err;
    uint8_t pad;
};
// Layout shared with src/sim/bridge.rs (repr(C)); the Rust side asserts the same size.
static_assert(sizeof(AiotBridgeOut) == 4, "AiotBridgeOut layout");

}  // extern "C"

#include "guarded_vcd_file.h"

namespace {

struct BridgeSim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vbridge> m;
    GuardedVcdFile file;  // declared before vcd: outlives it
    std::unique_ptr<VerilatedVcdC> vcd;
    uint64_t t = 0;

    BridgeSim() : ctx(new VerilatedContext) {  // also becomes the thread's context
        ctx->traceEverOn(true);
        m.reset(new Vbridge(ctx.get(), "board"));
        m->clk = 0;
        m->rst_n = 0;
        m->uart_rx = 1;
        m->eval();
    }
    ~BridgeSim() {
        // see ~TceSim in shim.cpp: tear down under this model's context
        Verilated::threadContextp(ctx.get());
        trace_close();
        m->final();
        m.reset();
        ctx.reset();
        Verilated::threadContextp(Verilated::defaultContextp());
    }
    void trace_close() {
        if (vcd) {
            vcd->close();
            vcd.reset();
        }
    }
};

void read_out(Vbridge* m, AiotBridgeOut* o) {
    o->uart_tx = m->uart_tx;
    o->led_busy = m->led_busy;
    o->led_err = m->led_err;
    o->pad = 0;
}

}  // namespace

extern "C" {

void* aiot_bridge_new() {
    try {
        return new BridgeSim;
    } catch (...) {
        return nullptr;
    }
}
void aiot_bridge_delete(void* h) { delete static_cast<BridgeSim*>(h); }

// Up to n cycles with rst_n and uart_rx held; returns the cycles run (fewer than n when uart_tx
// changed on the last of them) and the outputs after the last rising edge.
uint64_t aiot_bridge_run(void* h, uint8_t rst_n, uint8_t uart_rx, uint64_t n, AiotBridgeOut* out) {
    BridgeSim* s = static_cast<BridgeSim*>(h);
    Vbridge* m = s->m.get();
    m->rst_n = rst_n;
    m->uart_rx = uart_rx;
    const uint8_t tx0 = m->uart_tx;
    uint64_t i = 0;
    while (i < n) {
        m->clk = 0;
        m->eval();
        if (s->vcd) s->vcd->dump(s->t);
        m->clk = 1;
        m->eval();
        if (s->vcd) s->vcd->dump(s->t + 1);
        s->t += 2;
        ++i;
        if (m->uart_tx != tx0) break;
    }
    s->ctx->time(s->t);
    read_out(m, out);
    return i;
}
uint64_t aiot_bridge_cycles(void* h) { return static_cast<BridgeSim*>(h)->t / 2; }
int aiot_bridge_trace_open(void* h, const char* path) {
    BridgeSim* s = static_cast<BridgeSim*>(h);
    s->trace_close();
    s->vcd.reset(new VerilatedVcdC(&s->file));
    s->m->trace(s->vcd.get(), 99);
    s->vcd->open(path);
    if (!s->vcd->isOpen()) {
        s->vcd.reset();
        return -1;
    }
    return 0;
}
void aiot_bridge_trace_close(void* h) { static_cast<BridgeSim*>(h)->trace_close(); }
int aiot_bridge_trace_error(void* h) { return static_cast<BridgeSim*>(h)->file.error(); }

}  // extern "C"
