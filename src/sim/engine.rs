//! [`EngineSim`]: the Verilated `tag_crypto_engine` at pin level, one [`EngineSim::tick`] per
//! clock cycle. The backend that drives it through whole commands, with the frame buffer, stalls
//! and protocol checks, is [`RtlEngine`](crate::engine::rtl::RtlEngine).

use std::ffi::c_void;
use std::path::Path;
use std::ptr::NonNull;

use super::Variant;
use super::ffi::{
    TceIn, TceOut, aiot_tce_delete, aiot_tce_new, aiot_tce_reg_layout, aiot_tce_reg_nwords,
    aiot_tce_reg_snap, aiot_tce_secret_bits, aiot_tce_secret_names, aiot_tce_set_key_store,
    aiot_tce_step, aiot_tce_trace_close, aiot_tce_trace_error, aiot_tce_trace_open,
};
use super::trace::{TraceFormat, check_trace, close_trace, open_trace};
use crate::error::EngineError;

/// The Verilated `tag_crypto_engine`, pin level.
pub struct EngineSim {
    h: NonNull<c_void>,
    variant: Variant,
    format: TraceFormat,
    /// Inputs applied by the next [`EngineSim::tick`].
    pub inp: TceIn,
    pre: TceOut,
    post: TceOut,
    cycles: u64,
    tracing: bool,
    /// Per-cycle register toggles being recorded (see [`EngineSim::record_toggles`]).
    probe: Option<Probe>,
}

/// One flip-flop register of the Verilated model (every variable the RTL assigns with `<=`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Register {
    /// RTL hierarchical name (`tag_crypto_engine.g_ff.ring_q`; an output port: `mem_req`).
    pub name: String,
    /// Width in bits (all elements of a memory).
    pub bits: u32,
    /// Words of the snapshot it occupies.
    pub words: u32,
}

/// Register toggles recorded cycle by cycle: for cycle `c` and register `r`, the number of the
/// register's bits that changed at that cycle's rising edge is `counts[c * registers + r]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToggleTrace {
    /// Number of registers per cycle (the length of [`EngineSim::registers`]).
    pub registers: usize,
    /// Cycle-major toggle counts.
    pub counts: Vec<u16>,
}

impl ToggleTrace {
    /// Cycles recorded.
    pub fn cycles(&self) -> usize {
        self.counts.len().checked_div(self.registers).unwrap_or(0)
    }

    /// The toggles of every register at cycle `c` (empty past the end).
    pub fn cycle(&self, c: usize) -> &[u16] {
        let r = self.registers;
        self.counts.get(c * r..(c + 1) * r).unwrap_or(&[])
    }
}

/// State of the toggle recording: the last snapshot and word ranges of each register.
struct Probe {
    prev: Vec<u32>,
    cur: Vec<u32>,
    ranges: Vec<(usize, usize)>,
    trace: ToggleTrace,
}

// SAFETY: the model is owned exclusively by this value (one VerilatedContext per model, no shared
// state with other models); it may move between threads, it is never used from two at once.
unsafe impl Send for EngineSim {}

impl EngineSim {
    /// A new model of `variant`, held in reset (call [`EngineSim::reset`] before use).
    pub fn new(variant: Variant) -> Result<Self, EngineError> {
        Self::with_trace_format(variant, TraceFormat::Vcd)
    }

    /// A new model of `variant` whose waveforms ([`EngineSim::open_vcd`]) are written in
    /// `format` ([`TraceFormat::Fst`]: [`Variant::Normal`] only).
    pub fn with_trace_format(variant: Variant, format: TraceFormat) -> Result<Self, EngineError> {
        /// The shim's model number of the FST-traced build.
        const FST_MODEL: u32 = 0x100;
        let model = match (format, variant) {
            (TraceFormat::Vcd, v) => v.model_index(),
            (TraceFormat::Fst, Variant::Normal) => FST_MODEL,
            (TraceFormat::Fst, v) => {
                return Err(EngineError::Invalid(format!(
                    "FST traces exist for the design as built only, not for {v:?}"
                )));
            }
        };
        // SAFETY: plain constructor; null on failure.
        let p = unsafe { aiot_tce_new(model) };
        let h = NonNull::new(p)
            .ok_or_else(|| EngineError::Unavailable("cannot construct the engine model".into()))?;
        Ok(Self {
            h,
            variant,
            format,
            inp: TceIn::default(),
            pre: TceOut::default(),
            post: TceOut::default(),
            cycles: 0,
            tracing: false,
            probe: None,
        })
    }

    /// The build simulated.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// One clock cycle with the current [`EngineSim::inp`]; `mem` is the frame buffer an
    /// acknowledged read is answered from (writes are applied by the caller from `pre()`).
    pub fn tick(&mut self, mem: &[u8]) {
        let len = u32::try_from(mem.len()).unwrap_or(u32::MAX);
        // SAFETY: `h` is live; every pointer is valid for the call; `mem` is read-only within
        // `len` octets.
        unsafe {
            aiot_tce_step(
                self.h.as_ptr(),
                &self.inp,
                mem.as_ptr(),
                len,
                &mut self.pre,
                &mut self.post,
            )
        };
        self.cycles += 1;
        if self.probe.is_some() {
            self.record_cycle();
        }
    }

    /// Every flip-flop register of the model, in snapshot order (from the build script's
    /// `regs_gen.h`: the variables the RTL assigns with `<=`, found in the Verilated model).
    pub fn registers(&self) -> Vec<Register> {
        // SAFETY: `h` live; the shim returns a static NUL-terminated string.
        let p = unsafe { aiot_tce_reg_layout(self.h.as_ptr()) };
        if p.is_null() {
            return Vec::new();
        }
        // SAFETY: non-null, NUL-terminated, static.
        let s = unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy();
        s.split(',')
            .filter_map(|e| {
                let mut it = e.rsplitn(3, ':');
                let words = it.next()?.parse().ok()?;
                let bits = it.next()?.parse().ok()?;
                Some(Register {
                    name: hierarchical(it.next()?),
                    bits,
                    words,
                })
            })
            .collect()
    }

    /// Copy every register ([`EngineSim::registers`], in order) into `buf` as 32-bit words.
    pub fn snapshot_registers(&self, buf: &mut Vec<u32>) {
        // SAFETY: `h` live.
        let n = unsafe { aiot_tce_reg_nwords(self.h.as_ptr()) };
        buf.clear();
        buf.resize(n as usize, 0);
        // SAFETY: `buf` holds `n` words; the shim writes at most `n` (it checks `cap`).
        unsafe { aiot_tce_reg_snap(self.h.as_ptr(), buf.as_mut_ptr(), n) };
    }

    /// Start (`true`) or stop recording the register toggles of every following cycle; starting
    /// clears what was recorded and takes the current state as the reference of the first cycle.
    pub fn record_toggles(&mut self, on: bool) {
        if !on {
            self.probe = None;
            return;
        }
        let mut ranges = Vec::new();
        let mut at = 0usize;
        for r in self.registers() {
            ranges.push((at, at + r.words as usize));
            at += r.words as usize;
        }
        let mut prev = Vec::new();
        self.snapshot_registers(&mut prev);
        if prev.len() != at {
            // a layout that does not match the snapshot: record nothing rather than misattribute
            ranges.clear();
        }
        self.probe = Some(Probe {
            cur: Vec::with_capacity(prev.len()),
            prev,
            trace: ToggleTrace {
                registers: ranges.len(),
                counts: Vec::new(),
            },
            ranges,
        });
    }

    /// The toggles recorded since [`EngineSim::record_toggles`] or the last call, leaving the
    /// recording on with an empty trace.
    pub fn take_toggles(&mut self) -> ToggleTrace {
        match &mut self.probe {
            Some(p) => ToggleTrace {
                registers: p.trace.registers,
                counts: std::mem::take(&mut p.trace.counts),
            },
            None => ToggleTrace::default(),
        }
    }

    fn record_cycle(&mut self) {
        let Some(mut p) = self.probe.take() else {
            return;
        };
        self.snapshot_registers(&mut p.cur);
        for &(a, b) in &p.ranges {
            let n: u32 = p.cur[a..b]
                .iter()
                .zip(&p.prev[a..b])
                .map(|(x, y)| (x ^ y).count_ones())
                .sum();
            p.trace.counts.push(u16::try_from(n).unwrap_or(u16::MAX));
        }
        std::mem::swap(&mut p.prev, &mut p.cur);
        self.probe = Some(p);
    }

    /// Outputs sampled just before the last rising edge (with the memory answer driven).
    pub fn pre(&self) -> &TceOut {
        &self.pre
    }

    /// Outputs just after the last rising edge.
    pub fn post(&self) -> &TceOut {
        &self.post
    }

    /// Drive `rst_n` low for `cycles` cycles with every other input idle, release it, then clock
    /// (still idle) until the engine shows `cmd_ready`: after reset it scrubs itself first. Returns
    /// the cycles waited after the release, or `None` if `cmd_ready` did not rise within
    /// [`EngineSim::READY_AFTER_RESET_MAX`] cycles.
    pub fn reset(&mut self, cycles: u32) -> Option<u64> {
        self.inp = TceIn::default();
        for _ in 0..cycles.max(1) {
            self.tick(&[]);
        }
        self.inp.rst_n = 1;
        for n in 1..=Self::READY_AFTER_RESET_MAX {
            self.tick(&[]);
            if self.post.cmd_ready == 1 {
                return Some(n);
            }
        }
        None
    }

    /// Bound on the cycles [`EngineSim::reset`] waits for `cmd_ready` after the release.
    pub const READY_AFTER_RESET_MAX: u64 = 4096;

    /// Cycles simulated since construction.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// The waveform format of this build.
    pub fn trace_format(&self) -> TraceFormat {
        self.format
    }

    /// [`EngineError::Io`] if writing the waveform failed since it was opened (a full disk):
    /// the simulation goes on, the trace is incomplete. VCD errors are seen at once; FST errors
    /// when the writer closes a file (at the latest at [`EngineSim::close_vcd`]).
    pub fn trace_error(&self) -> Result<(), EngineError> {
        check_trace(aiot_tce_trace_error, self.h)
    }

    /// Start writing a waveform ([`EngineSim::trace_format`]) to `path` (replaces a trace
    /// already open).
    pub fn open_vcd(&mut self, path: &Path) -> Result<(), EngineError> {
        open_trace(aiot_tce_trace_open, self.h, path)?;
        self.tracing = true;
        Ok(())
    }

    /// Flush and close the waveform, if any.
    pub fn close_vcd(&mut self) {
        close_trace(aiot_tce_trace_close, self.h, &mut self.tracing);
    }

    /// Whether a waveform is being written.
    pub fn tracing(&self) -> bool {
        self.tracing
    }

    /// Provision the tag's key store, which the engine reads through `ltk_idx` / `ltk_data`
    /// (DERIVE): K_AIoT of 16 or 32 octets; `None` empties it (all zeros, 16 octets).
    pub fn set_key_store(&mut self, key: Option<&[u8]>) {
        let (ptr, len) = match key {
            Some(k) if k.len() == 16 || k.len() == 32 => (k.as_ptr(), k.len() as u32),
            _ => (std::ptr::null(), 0),
        };
        // SAFETY: `h` live; `ptr` is valid for `len` octets (or null with 0), only read.
        unsafe { aiot_tce_set_key_store(self.h.as_ptr(), ptr, len) };
    }

    /// Number of bits set over every secret register (`/* verilator public_flat_rd */`) of the
    /// engine, including those of its AES core. Zero after ZEROIZE and after reset.
    pub fn secret_bits_set(&self) -> u32 {
        // SAFETY: `h` live.
        unsafe { aiot_tce_secret_bits(self.h.as_ptr()) }
    }

    /// The secret registers read by [`EngineSim::secret_bits_set`], by their RTL hierarchical
    /// names (`tag_crypto_engine.g_ff.park_q`).
    pub fn secret_registers(&self) -> Vec<String> {
        // SAFETY: `h` live; the shim returns a static NUL-terminated string.
        let p = unsafe { aiot_tce_secret_names(self.h.as_ptr()) };
        if p.is_null() {
            return Vec::new();
        }
        // SAFETY: non-null, NUL-terminated, static.
        let s = unsafe { std::ffi::CStr::from_ptr(p) }
            .to_string_lossy()
            .into_owned();
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(hierarchical)
            .collect()
    }
}

/// A Verilator member name as the RTL hierarchy (`tag_crypto_engine__DOT__g_ff__DOT__park_q` ->
/// `tag_crypto_engine.g_ff.park_q`).
pub(crate) fn hierarchical(mangled: &str) -> String {
    mangled.replace("__DOT__", ".")
}

impl Drop for EngineSim {
    fn drop(&mut self) {
        // SAFETY: `h` came from aiot_tce_new and is deleted once.
        unsafe { aiot_tce_delete(self.h.as_ptr()) };
    }
}
