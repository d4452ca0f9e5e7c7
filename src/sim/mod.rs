//! Safe, cycle-level wrappers over the Verilated RTL (feature `rtl`): the AES core
//! ([`AesSim`]) and the tag's crypto engine ([`EngineSim`], also in its two deliberately faulty
//! builds). One call to `tick` is one clock cycle: the inputs set in `inp` are applied while the
//! clock is low, the outputs are sampled just before the rising edge (`pre`, what the flops and
//! the harness's handshakes see) and just after it (`post`).
//!
//! The models are built by `sim/build/` with the layout and COUNT/BEARER/DIRECTION parameters
//! read from `profiles/provisional.toml`; [`params`] holds the values built in.
//!
//! Files: `ffi.rs` the `#[repr(C)]` layouts and `extern "C"` functions shared with `sim/shim.cpp`
//! (the only place Rust and C++ must agree), `trace.rs` VCD waveforms, `engine.rs` [`EngineSim`],
//! `aes.rs` [`AesSim`]. The backend that runs whole commands on [`EngineSim`] is
//! [`RtlEngine`](crate::engine::rtl::RtlEngine).

mod aes;
#[cfg(feature = "serial")]
pub mod bridge;
mod engine;
mod ffi;
#[cfg(feature = "serial")]
pub mod pty;
mod trace;

pub use aes::AesSim;
pub use engine::{EngineSim, Register, ToggleTrace};
pub use ffi::{AesIn, AesOut, TceIn, TceOut, u128_to_words, words_to_u128};
pub use trace::{FstSummary, TraceFormat, fst_summary};

use crate::error::EngineError;

/// RTL parameters built into the engine models (from `profiles/provisional.toml` at build time).
pub mod params {
    include!(concat!(env!("OUT_DIR"), "/rtl_params.rs"));

    /// Octets of the frame buffer the engine addresses (2^ADDR_W).
    pub const BUFFER_LEN: usize = 1 << ADDR_W;
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
    /// TEST ONLY, `FAULT=3`: the SHA-256 core's Sigma1 rotates by 24 instead of 25 (a wrong
    /// rotation amount in the KDF unit).
    ShaRotation,
    /// TEST ONLY: the engine inside `tce_planted_leak` (hdl/leak), which holds a key octet in a
    /// register that toggles every cycle: the positive control of the leakage analysis. Not a
    /// `FAULT` value of the engine (`from_fault` does not take it).
    PlantedLeak,
}

impl Variant {
    /// From the `fault` number of the CLI / `CosimOptions` (0, 1, 2, 3).
    pub fn from_fault(fault: u8) -> Result<Self, EngineError> {
        match fault {
            0 => Ok(Self::Normal),
            1 => Ok(Self::DropK2),
            2 => Ok(Self::CorruptSbox),
            3 => Ok(Self::ShaRotation),
            n => Err(EngineError::Invalid(format!(
                "fault variant {n} (expected 0, 1, 2 or 3)"
            ))),
        }
    }

    /// The `FAULT` parameter of the build (the planted-leak wrapper's engine has `FAULT` 0).
    pub fn fault(self) -> u8 {
        match self {
            Self::Normal | Self::PlantedLeak => 0,
            Self::DropK2 => 1,
            Self::CorruptSbox => 2,
            Self::ShaRotation => 3,
        }
    }

    /// The model's number in `sim/shim.cpp`'s `aiot_tce_new`: the `FAULT` value, 0x101 for the
    /// planted-leak wrapper.
    pub(crate) fn model_index(self) -> u32 {
        match self {
            Self::PlantedLeak => 0x101,
            v => u32::from(v.fault()),
        }
    }
}
