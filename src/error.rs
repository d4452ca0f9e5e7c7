//! Typed errors of the library.

use thiserror::Error;

/// Every failure the library reports. No input makes the library panic; it returns one of these.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    #[error("profile: {0}")]
    Profile(String),
    #[error("invalid hex: {0}")]
    Hex(String),
    #[error("invalid key length: expected {expected} octets, got {got}")]
    KeyLength { expected: usize, got: usize },
    #[error("BEARER {0} exceeds 5 bits")]
    Bearer(u8),
    #[error("DIRECTION {0} is not 0 or 1")]
    Direction(u8),
    #[error("bit length {bits} needs {needed} octets but only {got} were given")]
    BitLength {
        bits: usize,
        needed: usize,
        got: usize,
    },
    #[error("KDF parameter {index} is {len} octets; at most 65535 fit its length field")]
    KdfParamTooLong { index: usize, len: usize },
    #[error("malformed message: {0}")]
    Decode(#[from] crate::messages::DecodeError),
    #[error("integrity check failed: {0}")]
    Integrity(&'static str),
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("replay: {0}")]
    Replay(&'static str),
    #[error("engine: {0}")]
    Engine(#[from] crate::engine::EngineError),
}
