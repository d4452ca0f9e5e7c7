//! Safe, cycle-level wrappers over the Verilated RTL (feature `rtl`): the AES core
//! ([`AesSim`]) and the tag's crypto engine ([`EngineSim`], also in its two deliberately faulty
//! builds). One call to `tick` is one clock cycle: the inputs set in `inp` are applied while the
//! clock is low, the outputs are sampled just before the rising edge (`pre`, what the flops and
//! the harness's handshakes see) and just after it (`post`).
//!
//! The models are built by `sim/build.rs` with the layout and COUNT/BEARER/DIRECTION parameters
//! read from `profiles/provisional.toml`; [`params`] holds the values built in.

use std::ffi::{CString, c_char, c_void};
use std::path::Path;
use std::ptr::NonNull;

use crate::engine::EngineError;

/// RTL parameters built into the engine models (from `profiles/provisional.toml` at build time).
pub mod params {
    include!(concat!(env!("OUT_DIR"), "/rtl_params.rs"));

    /// Octets of the frame buffer the engine addresses (2^ADDR_W).
    pub const BUFFER_LEN: usize = 1 << ADDR_W;
}

/// Inputs of `tag_crypto_engine` for one cycle (layout shared with `sim/shim.cpp`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TceIn {
    pub addr: u32,
    pub len: u32,
    pub rst_n: u8,
    pub cmd_valid: u8,
    pub cmd_op: u8,
    /// Command-octet stream (LOAD_KEYS: the two keys; NEA2 / NIA2: COUNT, BEARER, DIRECTION).
    pub dat_valid: u8,
    pub dat_data: u8,
    pub rsp_ready: u8,
    /// Acknowledge a pending memory request this cycle (`mem_ack = ack_en && mem_req`).
    pub ack_en: u8,
    /// Value on `mem_rdata` when no read is acknowledged (garbage, to catch early sampling).
    pub idle_rdata: u8,
}

/// Outputs of `tag_crypto_engine` (plus the memory answer the harness drove, in `pre`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TceOut {
    pub rsp_mac: u32,
    pub mem_addr: u32,
    pub cmd_ready: u8,
    pub rsp_valid: u8,
    pub rsp_status: u8,
    pub mem_req: u8,
    pub mem_we: u8,
    pub mem_wdata: u8,
    pub mem_ack: u8,
    pub mem_rdata: u8,
    pub dat_ready: u8,
    pub pad: [u8; 3],
}

// The shim asserts the same sizes (static_assert in sim/shim.cpp).
const _: () = assert!(std::mem::size_of::<TceIn>() == 16 && std::mem::size_of::<TceOut>() == 20);

/// Inputs of `aes128_enc` for one cycle.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AesIn {
    pub key: [u32; 4],
    pub block: [u32; 4],
    pub rst_n: u8,
    pub in_valid: u8,
    pub out_ready: u8,
    pub pad: u8,
}

/// Outputs of `aes128_enc`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AesOut {
    pub block: [u32; 4],
    pub in_ready: u8,
    pub out_valid: u8,
    pub pad: [u8; 2],
}

unsafe extern "C" {
    fn aiot_tce_new(variant: u32) -> *mut c_void;
    fn aiot_tce_delete(h: *mut c_void);
    fn aiot_tce_step(
        h: *mut c_void,
        inp: *const TceIn,
        mem: *const u8,
        mem_len: u32,
        pre: *mut TceOut,
        post: *mut TceOut,
    );
    fn aiot_tce_trace_open(h: *mut c_void, path: *const c_char) -> i32;
    fn aiot_tce_trace_close(h: *mut c_void);
    fn aiot_tce_secret_bits(h: *mut c_void) -> u32;
    fn aiot_tce_secret_names(h: *mut c_void) -> *const c_char;

    fn aiot_aes_new() -> *mut c_void;
    fn aiot_aes_delete(h: *mut c_void);
    fn aiot_aes_step(h: *mut c_void, inp: *const AesIn, pre: *mut AesOut, post: *mut AesOut);
    fn aiot_aes_trace_open(h: *mut c_void, path: *const c_char) -> i32;
    fn aiot_aes_trace_close(h: *mut c_void);
    fn aiot_aes_secret_bits(h: *mut c_void) -> u32;
}

/// A 128-bit value as the four 32-bit words Verilator uses (word 0 = bits [31:0]).
pub fn u128_to_words(x: u128) -> [u32; 4] {
    [
        x as u32,
        (x >> 32) as u32,
        (x >> 64) as u32,
        (x >> 96) as u32,
    ]
}

/// Inverse of [`u128_to_words`].
pub fn words_to_u128(w: [u32; 4]) -> u128 {
    (w[0] as u128) | ((w[1] as u128) << 32) | ((w[2] as u128) << 64) | ((w[3] as u128) << 96)
}

/// Which build of the engine to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The engine as designed.
    #[default]
    Normal,
    /// TEST ONLY, `FAULT=1`: the CMAC K2 path dropped.
    DropK2,
    /// TEST ONLY, `FAULT=2`: one S-box output corrupted.
    CorruptSbox,
}

impl Variant {
    /// From the `fault` number of the CLI / `CosimOptions` (0, 1, 2).
    pub fn from_fault(fault: u8) -> Result<Self, EngineError> {
        match fault {
            0 => Ok(Self::Normal),
            1 => Ok(Self::DropK2),
            2 => Ok(Self::CorruptSbox),
            n => Err(EngineError::Invalid(format!(
                "fault variant {n} (expected 0, 1 or 2)"
            ))),
        }
    }

    /// The `FAULT` parameter of the build.
    pub fn fault(self) -> u8 {
        match self {
            Self::Normal => 0,
            Self::DropK2 => 1,
            Self::CorruptSbox => 2,
        }
    }
}

type TraceOpen = unsafe extern "C" fn(*mut c_void, *const c_char) -> i32;
type TraceClose = unsafe extern "C" fn(*mut c_void);

/// Opens a VCD on model `h` through the shim's `open` (the engine's or the AES core's).
fn open_trace(open: TraceOpen, h: NonNull<c_void>, path: &Path) -> Result<(), EngineError> {
    let c = c_path(path)?;
    // SAFETY: `h` is a live model handle of the kind `open` takes, `c` NUL-terminated.
    let rc = unsafe { open(h.as_ptr(), c.as_ptr()) };
    if rc != 0 {
        return Err(EngineError::Io(format!("cannot open {}", path.display())));
    }
    Ok(())
}

/// Closes the VCD of model `h`, if `tracing`.
fn close_trace(close: TraceClose, h: NonNull<c_void>, tracing: &mut bool) {
    if *tracing {
        // SAFETY: `h` is a live model handle of the kind `close` takes.
        unsafe { close(h.as_ptr()) };
        *tracing = false;
    }
}

fn c_path(path: &Path) -> Result<CString, EngineError> {
    CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| EngineError::Io(format!("{}: path contains NUL", path.display())))
}

/// The Verilated `tag_crypto_engine`, pin level.
pub struct EngineSim {
    h: NonNull<c_void>,
    variant: Variant,
    /// Inputs applied by the next [`EngineSim::tick`].
    pub inp: TceIn,
    pre: TceOut,
    post: TceOut,
    cycles: u64,
    tracing: bool,
}

// SAFETY: the model is owned exclusively by this value (one VerilatedContext per model, no shared
// state with other models); it may move between threads, it is never used from two at once.
unsafe impl Send for EngineSim {}

impl EngineSim {
    /// A new model of `variant`, held in reset (call [`EngineSim::reset`] before use).
    pub fn new(variant: Variant) -> Result<Self, EngineError> {
        // SAFETY: plain constructor; null on failure.
        let p = unsafe { aiot_tce_new(variant.fault() as u32) };
        let h = NonNull::new(p)
            .ok_or_else(|| EngineError::Unavailable("cannot construct the engine model".into()))?;
        Ok(Self {
            h,
            variant,
            inp: TceIn::default(),
            pre: TceOut::default(),
            post: TceOut::default(),
            cycles: 0,
            tracing: false,
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

    /// Start writing a VCD waveform to `path` (replaces a trace already open).
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

    /// Number of bits set over every secret register (`/* verilator public_flat_rd */`) of the
    /// engine, including those of its AES core. Zero after ZEROIZE and after reset.
    pub fn secret_bits_set(&self) -> u32 {
        // SAFETY: `h` live.
        unsafe { aiot_tce_secret_bits(self.h.as_ptr()) }
    }

    /// The secret registers read by [`EngineSim::secret_bits_set`] (Verilated member names).
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
            .map(String::from)
            .collect()
    }
}

impl Drop for EngineSim {
    fn drop(&mut self) {
        // SAFETY: `h` came from aiot_tce_new and is deleted once.
        unsafe { aiot_tce_delete(self.h.as_ptr()) };
    }
}

/// The Verilated `aes128_enc`, pin level, with a blocking helper.
pub struct AesSim {
    h: NonNull<c_void>,
    /// Inputs applied by the next [`AesSim::tick`].
    pub inp: AesIn,
    pre: AesOut,
    post: AesOut,
    cycles: u64,
    tracing: bool,
}

// SAFETY: as for EngineSim.
unsafe impl Send for AesSim {}

impl AesSim {
    /// A new model, reset and ready.
    pub fn new() -> Result<Self, EngineError> {
        // SAFETY: plain constructor; null on failure.
        let p = unsafe { aiot_aes_new() };
        let h = NonNull::new(p)
            .ok_or_else(|| EngineError::Unavailable("cannot construct the AES model".into()))?;
        let mut s = Self {
            h,
            inp: AesIn::default(),
            pre: AesOut::default(),
            post: AesOut::default(),
            cycles: 0,
            tracing: false,
        };
        s.reset(2);
        Ok(s)
    }

    /// One clock cycle with the current inputs.
    pub fn tick(&mut self) {
        // SAFETY: `h` live, pointers valid for the call.
        unsafe { aiot_aes_step(self.h.as_ptr(), &self.inp, &mut self.pre, &mut self.post) };
        self.cycles += 1;
    }

    /// Outputs just before the last rising edge.
    pub fn pre(&self) -> &AesOut {
        &self.pre
    }

    /// Outputs just after the last rising edge.
    pub fn post(&self) -> &AesOut {
        &self.post
    }

    /// Reset for `cycles` cycles, then release.
    pub fn reset(&mut self, cycles: u32) {
        self.inp = AesIn::default();
        for _ in 0..cycles.max(1) {
            self.tick();
        }
        self.inp.rst_n = 1;
        self.tick();
    }

    /// Cycles simulated since construction.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Encrypt one block (keys and blocks as u128, FIPS-197 byte 0 = bits [127:120]); `stall`
    /// decides, per cycle, whether to hold back `in_valid` / `out_ready` (true = stall).
    pub fn encrypt_with(
        &mut self,
        key: u128,
        block: u128,
        watchdog: u64,
        mut stall: impl FnMut() -> bool,
    ) -> Result<u128, EngineError> {
        let start = self.cycles;
        self.inp.key = u128_to_words(key);
        self.inp.block = u128_to_words(block);
        self.inp.out_ready = 0;
        // Offer the block.
        loop {
            self.inp.in_valid = u8::from(!stall());
            self.inp.out_ready = u8::from(!stall());
            self.tick();
            if self.inp.in_valid == 1 && self.pre.in_ready == 1 {
                break;
            }
            if self.cycles - start > watchdog {
                return Err(EngineError::Timeout(self.cycles - start));
            }
        }
        self.inp.in_valid = 0;
        // Scramble the inputs: the core must have captured them at the handshake.
        self.inp.key = u128_to_words(!key);
        self.inp.block = u128_to_words(block.rotate_left(17) ^ key);
        loop {
            self.inp.out_ready = u8::from(!stall());
            self.tick();
            if self.pre.out_valid == 1 && self.inp.out_ready == 1 {
                self.inp.out_ready = 0;
                return Ok(words_to_u128(self.pre.block));
            }
            if self.cycles - start > watchdog {
                return Err(EngineError::Timeout(self.cycles - start));
            }
        }
    }

    /// Start writing a VCD waveform.
    pub fn open_vcd(&mut self, path: &Path) -> Result<(), EngineError> {
        open_trace(aiot_aes_trace_open, self.h, path)?;
        self.tracing = true;
        Ok(())
    }

    /// Flush and close the waveform, if any.
    pub fn close_vcd(&mut self) {
        close_trace(aiot_aes_trace_close, self.h, &mut self.tracing);
    }

    /// Bits set over the core's secret registers (key and state).
    pub fn secret_bits_set(&self) -> u32 {
        // SAFETY: `h` live.
        unsafe { aiot_aes_secret_bits(self.h.as_ptr()) }
    }
}

impl Drop for AesSim {
    fn drop(&mut self) {
        // SAFETY: `h` came from aiot_aes_new and is deleted once.
        unsafe { aiot_aes_delete(self.h.as_ptr()) };
    }
}
