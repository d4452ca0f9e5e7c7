//! Typed errors of the library: a leaf module (it imports nothing of the crate), so every layer
//! can use them. `messages` re-exports [`DecodeError`] and `engine` re-exports [`EngineError`].

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
    Decode(#[from] DecodeError),
    #[error("integrity check failed: {0}")]
    Integrity(&'static str),
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("replay: {0}")]
    Replay(&'static str),
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
    #[error("usage: {0}")]
    Usage(String),
}

/// Why a message could not be decoded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error("truncated: {what} needs {needed} octets, {got} left")]
    Truncated {
        what: &'static str,
        needed: usize,
        got: usize,
    },
    #[error("{0} trailing octets after the message")]
    Trailing(usize),
    #[error("message of {len} octets exceeds the maximum {max}")]
    TooLong { len: usize, max: usize },
    #[error("unknown extended protocol discriminator 0x{0:02x}")]
    Epd(u8),
    #[error("unknown ciphering indication 0x{0:02x}")]
    Indication(u8),
    #[error("unexpected message type 0x{0:02x}")]
    MessageType(u8),
    #[error("unknown command 0x{0:02x}")]
    Command(u8),
    #[error("unknown status 0x{0:02x}")]
    Status(u8),
}

/// Failures of a backend (not protocol verdicts: those are
/// [`engine::Status`](crate::engine::Status)).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EngineError {
    #[error("no keys loaded (load keys first, or keys were zeroized)")]
    NoKeys,
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("region of {len} octets at {addr} does not fit the {cap}-octet frame buffer")]
    Capacity { addr: usize, len: usize, cap: usize },
    #[error("backend timed out after {0} cycles")]
    Timeout(u64),
    #[error("backend I/O: {0}")]
    Io(String),
    #[error("backend protocol violation: {0}")]
    Protocol(String),
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    #[error("the engine owns the frame buffer (a command or its scrub is in progress)")]
    Busy,
}
