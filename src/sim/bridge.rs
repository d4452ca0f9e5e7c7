//! The Verilated board design (features `rtl` + `serial`): `engine_uart_bridge` (UART + bridge +
//! engine + frame buffer) driven at its pins only, [`BridgeSim`]; and [`Board`], which turns
//! octets into the bits of the RX pin and the TX pin back into octets, at any baud rate against
//! the design's nominal one, like the FTDI chip of a board. `aiotsec board-sim` connects a
//! [`Board`] to a pseudo-terminal (`sim/pty.rs`).
//!
//! The `extern "C"` functions below are the Rust half of `sim/bridge_shim.cpp`.

use std::collections::VecDeque;
use std::ffi::{c_char, c_void};
use std::path::Path;
use std::ptr::NonNull;

use super::params;
use super::trace::{check_trace, close_trace, open_trace};
use crate::error::EngineError;

/// Outputs of the board design after a clock edge (layout shared with `sim/bridge_shim.cpp`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BridgeOut {
    /// The UART TX pin (idle high).
    pub uart_tx: u8,
    /// LED: a command is running.
    pub led_busy: u8,
    /// LED: the last response was an error.
    pub led_err: u8,
    /// Unused.
    pub pad: u8,
}

const _: () = assert!(std::mem::size_of::<BridgeOut>() == 4);

unsafe extern "C" {
    fn aiot_bridge_new() -> *mut c_void;
    fn aiot_bridge_delete(h: *mut c_void);
    fn aiot_bridge_run(h: *mut c_void, rst_n: u8, uart_rx: u8, n: u64, out: *mut BridgeOut) -> u64;
    fn aiot_bridge_cycles(h: *mut c_void) -> u64;
    fn aiot_bridge_trace_open(h: *mut c_void, path: *const c_char) -> i32;
    fn aiot_bridge_trace_close(h: *mut c_void);
    fn aiot_bridge_trace_error(h: *mut c_void) -> i32;
}

/// The Verilated `engine_uart_bridge` at pin level.
pub struct BridgeSim {
    h: NonNull<c_void>,
    out: BridgeOut,
    tracing: bool,
}

impl BridgeSim {
    /// Clock cycles per UART bit the model was built with.
    pub const CLKS_PER_BIT: u32 = params::BRIDGE_CLKS_PER_BIT;
    /// Cycles without an octet inside a frame before the bridge answers ERR_TIMEOUT.
    pub const TIMEOUT_CLKS: u32 = params::BRIDGE_TIMEOUT_CLKS;
    /// Data octets of one WRITE / READ.
    pub const MAX_DATA: u32 = params::BRIDGE_MAX_DATA;

    /// A fresh model, held in reset (call [`BridgeSim::reset`]).
    pub fn new() -> Result<Self, EngineError> {
        // SAFETY: the shim returns a new model or null.
        let h = unsafe { aiot_bridge_new() };
        let h = NonNull::new(h)
            .ok_or_else(|| EngineError::Unavailable("cannot create the board model".into()))?;
        Ok(Self {
            h,
            out: BridgeOut {
                uart_tx: 1,
                ..BridgeOut::default()
            },
            tracing: false,
        })
    }

    /// Hold `rst_n` low for `cycles` cycles (RX idle high), then release it.
    pub fn reset(&mut self, cycles: u64) {
        self.drive(false, true, cycles.max(1));
        self.drive(true, true, 1);
    }

    /// Run up to `n` cycles with the pins held (`rst_n` high); stops early on the cycle the TX
    /// pin changes. Returns the cycles run.
    pub fn run(&mut self, uart_rx: bool, n: u64) -> u64 {
        self.drive(true, uart_rx, n)
    }

    fn drive(&mut self, rst_n: bool, uart_rx: bool, n: u64) -> u64 {
        let mut out = BridgeOut::default();
        // SAFETY: `h` is a live model; `out` a valid BridgeOut.
        let ran = unsafe {
            aiot_bridge_run(
                self.h.as_ptr(),
                u8::from(rst_n),
                u8::from(uart_rx),
                n,
                &mut out,
            )
        };
        self.out = out;
        ran
    }

    /// The outputs after the last cycle run.
    pub fn out(&self) -> BridgeOut {
        self.out
    }

    /// Cycles simulated since the model was created.
    pub fn cycles(&self) -> u64 {
        // SAFETY: `h` is a live model.
        unsafe { aiot_bridge_cycles(self.h.as_ptr()) }
    }

    /// Write a VCD waveform from now on.
    pub fn open_vcd(&mut self, path: &Path) -> Result<(), EngineError> {
        open_trace(aiot_bridge_trace_open, self.h, path)?;
        self.tracing = true;
        Ok(())
    }

    /// [`EngineError::Io`] if writing the VCD failed since it was opened (a full disk): the
    /// simulation goes on, the trace is incomplete.
    pub fn trace_error(&self) -> Result<(), EngineError> {
        check_trace(aiot_bridge_trace_error, self.h)
    }

    /// Close the waveform.
    pub fn close_vcd(&mut self) {
        close_trace(aiot_bridge_trace_close, self.h, &mut self.tracing);
    }
}

impl Drop for BridgeSim {
    fn drop(&mut self) {
        self.close_vcd();
        // SAFETY: `h` is live and not used after this.
        unsafe { aiot_bridge_delete(self.h.as_ptr()) };
    }
}

/// A host's UART receiver on the TX pin, at the host's bit period (in board cycles, fractional):
/// a falling edge starts an octet, bits are sampled in the middle of their period, an octet whose
/// stop bit is low is a framing error and dropped (what a host UART does not pass on as data).
#[derive(Debug, Default)]
struct TxDecoder {
    /// Level before the first edge kept.
    base: bool,
    /// (cycle, level after) of the TX edges not yet consumed.
    edges: VecDeque<(u64, bool)>,
    /// Cycle of the falling edge of the octet being received.
    start: Option<u64>,
    framing_errors: u64,
}

impl TxDecoder {
    fn level_at(&self, t: u64) -> bool {
        let mut l = self.base;
        for &(te, le) in &self.edges {
            if te <= t {
                l = le;
            } else {
                break;
            }
        }
        l
    }

    /// Decode every octet complete by cycle `now` into `out`.
    fn decode(&mut self, now: u64, period: f64, out: &mut Vec<u8>) {
        loop {
            if self.start.is_none() {
                while let Some(&(t, l)) = self.edges.front() {
                    if !l {
                        self.start = Some(t);
                        break;
                    }
                    self.base = l;
                    self.edges.pop_front();
                }
            }
            let Some(t0) = self.start else { return };
            let at = |k: f64| t0 + (k * period) as u64;
            let end = at(9.5);
            if now < end {
                return;
            }
            let start_low = !self.level_at(at(0.5));
            let stop_high = self.level_at(end);
            let mut b = 0u8;
            for i in 0..8 {
                if self.level_at(at(1.5 + i as f64)) {
                    b |= 1 << i;
                }
            }
            if start_low && stop_high {
                out.push(b);
            } else if start_low {
                self.framing_errors += 1;
            }
            while let Some(&(t, l)) = self.edges.front() {
                if t > end {
                    break;
                }
                self.base = l;
                self.edges.pop_front();
            }
            self.start = None;
        }
    }

    /// Whether an octet is being received.
    fn busy(&self) -> bool {
        self.start.is_some() || self.edges.iter().any(|e| !e.1)
    }
}

/// The board design with a host UART on its pins: [`Board::send`] queues octets as RX bits at
/// the host's baud rate, [`Board::run`] simulates, [`Board::take_output`] gives the octets
/// decoded from TX at the host's baud rate. The design's own rate is `nominal_baud`
/// ([`BridgeSim::CLKS_PER_BIT`] cycles per bit); a host at another rate gets its bits stretched
/// or squeezed, as on a real line.
pub struct Board {
    sim: BridgeSim,
    nominal_baud: u32,
    /// (level, cycles) of the RX line still to drive.
    rx_wave: VecDeque<(bool, u64)>,
    tx: TxDecoder,
    tx_level: bool,
    decoded: Vec<u8>,
    /// Cycle of the last RX or TX activity.
    last_activity: u64,
}

impl Board {
    /// A board whose UART runs at `nominal_baud`, out of reset.
    pub fn new(nominal_baud: u32) -> Result<Self, EngineError> {
        if nominal_baud == 0 {
            return Err(EngineError::Invalid("baud rate 0".into()));
        }
        let mut sim = BridgeSim::new()?;
        sim.reset(8);
        // after reset the bridge clears its staging buffer (MAX_DATA + 2 cycles, octets
        // skipped meanwhile): let it finish before the first host octet, like a board that
        // was powered up before the host opened the port
        let ready = sim.cycles() + 4 * u64::from(BridgeSim::MAX_DATA) + 64;
        while sim.cycles() < ready {
            sim.run(true, ready - sim.cycles());
        }
        let c = sim.cycles();
        Ok(Self {
            sim,
            nominal_baud,
            rx_wave: VecDeque::new(),
            tx: TxDecoder {
                base: true,
                ..TxDecoder::default()
            },
            tx_level: true,
            decoded: Vec::new(),
            last_activity: c,
        })
    }

    /// Board cycles per bit of a host at `baud`.
    pub fn period(&self, baud: u32) -> f64 {
        f64::from(BridgeSim::CLKS_PER_BIT) * f64::from(self.nominal_baud) / f64::from(baud.max(1))
    }

    /// Queue `bytes` on the RX pin (start bit, 8 data bits LSB first, stop bit) at `baud`.
    pub fn send(&mut self, bytes: &[u8], baud: u32) {
        let p = self.period(baud);
        for &b in bytes {
            let mut prev = 0u64;
            for k in 0..10u32 {
                let level = match k {
                    0 => false,
                    9 => true,
                    i => (b >> (i - 1)) & 1 == 1,
                };
                let edge = (f64::from(k + 1) * p).round() as u64;
                self.rx_wave.push_back((level, (edge - prev).max(1)));
                prev = edge;
            }
        }
    }

    /// Whether the line or the design is busy: RX bits queued, an octet on TX, a command
    /// running, or activity within the last `quiet` cycles.
    pub fn active(&self, quiet: u64) -> bool {
        !self.rx_wave.is_empty()
            || self.tx.busy()
            || self.sim.out().led_busy != 0
            || self.sim.cycles() < self.last_activity + quiet
    }

    /// Simulate `n` cycles (RX bits driven, TX decoded at `baud`).
    pub fn run(&mut self, n: u64, baud: u32) {
        let period = self.period(baud);
        let mut left = n;
        while left > 0 {
            let (level, len) = match self.rx_wave.front_mut() {
                Some(w) => (w.0, w.1.min(left)),
                None => (true, left),
            };
            let ran = self.sim.run(level, len).max(1);
            left = left.saturating_sub(ran);
            if let Some(w) = self.rx_wave.front_mut() {
                self.last_activity = self.sim.cycles();
                w.1 -= ran.min(w.1);
                if w.1 == 0 {
                    self.rx_wave.pop_front();
                }
            }
            let tx = self.sim.out().uart_tx != 0;
            if tx != self.tx_level {
                self.tx_level = tx;
                self.tx.edges.push_back((self.sim.cycles(), tx));
                self.last_activity = self.sim.cycles();
            }
        }
        self.tx.decode(self.sim.cycles(), period, &mut self.decoded);
    }

    /// The octets decoded from TX since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.decoded)
    }

    /// TX octets dropped for a low stop bit (a host at the wrong baud rate sees these).
    pub fn framing_errors(&self) -> u64 {
        self.tx.framing_errors
    }

    /// The design's pins.
    pub fn sim(&mut self) -> &mut BridgeSim {
        &mut self.sim
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::serial::wire::{self, BridgeInfo, Frame, Operation, Parser};

    /// The board answers a PING through its pins, bit by bit.
    #[test]
    fn ping_through_the_pins() {
        let mut b = Board::new(115_200).unwrap();
        let req = Frame::new(7, Operation::Ping as u8, &[])
            .encode(wire::SYNC_REQUEST)
            .unwrap();
        b.send(&req, 115_200);
        let mut p = Parser::new(wire::SYNC_RESPONSE, 64);
        let mut got = None;
        for _ in 0..200 {
            b.run(1000, 115_200);
            for x in b.take_output() {
                if let Some(r) = p.push(x) {
                    got = Some(r);
                }
            }
            if got.is_some() {
                break;
            }
        }
        let f = got.expect("a response").expect("a good CRC");
        assert_eq!((f.seq, f.code), (7, 0));
        let info = BridgeInfo::decode(&f.payload).expect("AIOT");
        assert_eq!(info.version, wire::VERSION);
        assert_eq!(u32::from(info.max_data), BridgeSim::MAX_DATA);
        assert_eq!(info.addr_w as u32, params::ADDR_W);
    }

    /// At half the baud rate the bridge sees garbage and the PING gets no good answer.
    #[test]
    fn wrong_baud_gets_no_answer() {
        let mut b = Board::new(115_200).unwrap();
        let req = Frame::new(7, Operation::Ping as u8, &[])
            .encode(wire::SYNC_REQUEST)
            .unwrap();
        b.send(&req, 57_600);
        let mut p = Parser::new(wire::SYNC_RESPONSE, 64);
        for _ in 0..100 {
            b.run(1000, 57_600);
            for x in b.take_output() {
                if let Some(Ok(f)) = p.push(x) {
                    assert_ne!(f.seq, 7, "a PING at the wrong baud rate was answered");
                }
            }
        }
    }
}
