//! One transaction-level interface for the tag's crypto engine, with interchangeable backends:
//! the golden model ([`model::ModelEngine`]), the Verilated RTL (`rtl`, feature `rtl`) and, later,
//! the FPGA over serial. A test or command written against [`CryptoEngine`] runs on any backend.
//!
//! The engine is the *tag's* engine: `unprotect` checks a Command Request (request COUNT/BEARER/
//! DIRECTION of the profile) and `protect` protects a Command Response (response inputs).

pub use crate::error::EngineError;
use crate::keys::{Key128, Key256, LongTermKey};
use crate::profile::SecurityInputs;

pub mod model;
pub mod ops;
#[cfg(feature = "rtl")]
pub mod rtl;
#[cfg(feature = "serial")]
pub mod serial;

/// Verdict of a message-level operation, identical across backends (compared bit for bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Done. For unprotect: the MAC matched and the ciphered part (if any) was deciphered in place.
    Ok,
    /// Unprotect only: the MAC did not match; the frame is unchanged.
    MacFailure,
    /// The ciphering indication holds neither the null nor the ciphered value; frame unchanged.
    BadIndication,
    /// The message is shorter than the clear part plus the MAC, or longer than the engine holds.
    BadLength,
}

/// Result of `unprotect` / `protect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// The engine's verdict: `Ok`, or why it refused the message (see [`Status`]).
    pub status: Status,
    /// Whether the message's indication said "ciphered" (meaningful when status is Ok).
    pub ciphered: bool,
    /// The MAC written by `protect` (zero for unprotect: the engine never discloses the expected
    /// MAC of a message it rejects).
    pub mac: [u8; 4],
}

/// The tag's crypto engine at transaction level.
pub trait CryptoEngine {
    /// Short backend name ("model", "rtl", "serial").
    fn name(&self) -> &'static str;

    /// Load KCommand_enc and KCommand_int (once per command round).
    fn load_keys(&mut self, enc: &Key128, int: &Key128) -> Result<(), EngineError>;

    /// Clear both keys and every state register.
    fn zeroize(&mut self) -> Result<(), EngineError>;

    /// One AES-128 encryption of `block` under `key` (the raw core).
    fn aes_block(&mut self, key: &Key128, block: &[u8; 16]) -> Result<[u8; 16], EngineError>;

    /// 128-NEA2 with the loaded KCommand_enc over the first `bits` bits of `data`; returns
    /// ceil(bits/8) octets with the unused trailing bits zero.
    fn nea2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<Vec<u8>, EngineError>;

    /// 128-NIA2 with the loaded KCommand_int over the first `bits` bits of `data`.
    fn nia2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<[u8; 4], EngineError>;

    /// Tag side: verify the MAC of the protected Command Request in `frame` over the whole message,
    /// then (only if it matches) decipher the ciphered part in place.
    fn unprotect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError>;

    /// Tag side: `frame` holds a Command Response with its clear part (indication set), any MAC
    /// field and the plain part; cipher in place (if the indication says so), then write the MAC.
    fn protect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError>;

    /// Whether this backend's engine derives its own keys ([`CryptoEngine::derive`]): the tag
    /// side then runs no KDF in software.
    fn has_derive(&self) -> bool {
        false
    }

    /// Provision the tag's key store with K_AIoT (the tag's non-volatile memory, written when
    /// the tag is made; the engine reads it only for DERIVE, and nothing reads it back).
    fn set_key_store(&mut self, _k: &LongTermKey) -> Result<(), EngineError> {
        Err(EngineError::Unavailable(format!(
            "the {} backend has no key store (no DERIVE)",
            self.name()
        )))
    }

    /// DERIVE: KAIOTF = KDF(K_AIoT, A.3 S with `n_aiotf`, `n_dev`), then KCommand_enc and
    /// KCommand_int (A.4) into the engine's key ring, as if loaded; neither KAIOTF nor the keys
    /// leave the engine. The nonces must have the profile's lengths.
    fn derive(&mut self, _n_aiotf: &[u8], _n_dev: &[u8]) -> Result<(), EngineError> {
        Err(EngineError::Unavailable(format!(
            "the {} backend has no DERIVE",
            self.name()
        )))
    }

    /// The raw HASH command (test vectors): HMAC-SHA-256(`key`, `msg`) with a key (at most 64
    /// octets: a longer HMAC key is hashed by the caller, RFC 2104), SHA-256(`msg`) without.
    /// The TS 33.220 KDF is `hash(Some(key), S)` ([`kdf`]).
    fn hash(&mut self, _key: Option<&[u8]>, _msg: &[u8]) -> Result<Key256, EngineError> {
        Err(EngineError::Unavailable(format!(
            "the {} backend has no HASH",
            self.name()
        )))
    }

    /// Clock cycles the last operation took (hardware backends); `None` for the model.
    fn last_cycles(&self) -> Option<u64> {
        None
    }

    /// Clock cycles simulated or run since the backend was opened (hardware backends); `None`
    /// for the model. The difference over a sequence of operations is their cost.
    fn total_cycles(&self) -> Option<u64> {
        None
    }
}

/// The TS 33.220 KDF on `engine`'s HASH: HMAC-SHA-256(`key`, FC || P0 || L0 || ...).
pub fn kdf(
    engine: &mut dyn CryptoEngine,
    key: &[u8],
    fc: u8,
    params: &[&[u8]],
) -> Result<Key256, crate::Error> {
    let s = crate::kdf::kdf_input(fc, params)?;
    Ok(engine.hash(Some(key), &s)?)
}

/// Longest HMAC key the engine's HASH takes (one SHA-256 block).
pub const HASH_MAX_KEY: usize = 64;

/// Checks shared by every backend's HASH: the key fits one block and key plus message fit the
/// frame buffer of `cap` octets, as does the 32-octet result.
pub fn check_hash_args(key: Option<&[u8]>, msg: &[u8], cap: usize) -> Result<(), EngineError> {
    let klen = key.map_or(0, <[u8]>::len);
    if klen > HASH_MAX_KEY {
        return Err(EngineError::Invalid(format!(
            "HMAC key of {klen} octets: the engine takes at most {HASH_MAX_KEY} (hash a longer \
             key first, RFC 2104)"
        )));
    }
    let len = klen.saturating_add(msg.len());
    if len > cap || cap < 32 {
        return Err(EngineError::Capacity {
            addr: 0,
            len: len.max(32),
            cap,
        });
    }
    Ok(())
}

/// Which backend a command should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    /// The golden model ([`model::ModelEngine`]), always built.
    Model,
    /// The Verilated RTL engine (`rtl::RtlEngine`, feature `rtl`); without the feature [`open`]
    /// returns [`EngineError::Unavailable`].
    Rtl,
    /// The engine on an FPGA behind the UART bridge (`--port PATH [--baud N]`, feature `serial`).
    Serial,
}

/// How to reach a backend that is not in this process (the `serial` one): the port, its baud
/// rate and the read timeout of one request. Ignored by the model and RTL backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendOptions {
    /// Serial port (a board's `/dev/ttyUSB1`, or the pty `aiotsec board-sim` prints).
    pub port: Option<String>,
    /// Baud rate (the bridge's build decides it: 1,000,000 by default, or 115200).
    pub baud: u32,
    /// Read timeout of one request.
    pub timeout: std::time::Duration,
}

impl Default for BackendOptions {
    fn default() -> Self {
        Self {
            port: None,
            baud: 1_000_000,
            timeout: std::time::Duration::from_secs(2),
        }
    }
}

/// Open a backend for `profile` (the serial one needs [`open_with`] and a port).
pub fn open(
    kind: BackendKind,
    profile: &crate::profile::Profile,
) -> Result<Box<dyn CryptoEngine>, EngineError> {
    open_with(kind, profile, &BackendOptions::default())
}

/// Open a backend for `profile`, reaching it as `opts` says: the one place a backend is chosen.
pub fn open_with(
    kind: BackendKind,
    profile: &crate::profile::Profile,
    opts: &BackendOptions,
) -> Result<Box<dyn CryptoEngine>, EngineError> {
    match kind {
        #[cfg(feature = "serial")]
        BackendKind::Serial => {
            let port = opts.port.as_deref().ok_or_else(|| {
                EngineError::Invalid("the serial backend needs a port (--port PATH)".into())
            })?;
            Ok(Box::new(serial::SerialEngine::open(
                port,
                opts.baud,
                opts.timeout,
                profile,
            )?))
        }
        #[cfg(not(feature = "serial"))]
        BackendKind::Serial => {
            let _ = opts;
            Err(EngineError::Unavailable(
                "this build has no serial backend (built without the `serial` feature)".into(),
            ))
        }
        BackendKind::Model => Ok(Box::new(model::ModelEngine::new(profile.clone()))),
        #[cfg(feature = "rtl")]
        BackendKind::Rtl => Ok(Box::new(rtl::RtlEngine::new(profile)?)),
        #[cfg(not(feature = "rtl"))]
        BackendKind::Rtl => Err(EngineError::Unavailable(
            "this build has no RTL backend (built with --no-default-features)".into(),
        )),
    }
}
