//! [`AesSim`]: the Verilated `aes128_enc` core alone at pin level, with a blocking
//! [`AesSim::encrypt_with`] that runs one block through its handshakes.

use std::ffi::c_void;
use std::path::Path;
use std::ptr::NonNull;

use super::ffi::{
    AesIn, AesOut, aiot_aes_delete, aiot_aes_new, aiot_aes_secret_bits, aiot_aes_step,
    aiot_aes_trace_close, aiot_aes_trace_error, aiot_aes_trace_open, u128_to_words, words_to_u128,
};
use super::trace::{check_trace, close_trace, open_trace};
use crate::error::EngineError;

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

// SAFETY: as for `EngineSim`: the model is owned exclusively by this value (its own
// VerilatedContext); it may move between threads, it is never used from two at once.
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

    /// Encrypt one block (keys and blocks as u128, FIPS-197 byte 0 = bits `[127:120]`); `stall`
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

    /// [`EngineError::Io`] if writing the VCD failed since it was opened (a full disk).
    pub fn trace_error(&self) -> Result<(), EngineError> {
        check_trace(aiot_aes_trace_error, self.h)
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
