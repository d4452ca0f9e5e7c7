//! [`SerialError`]: what the serial link and the bridge can do wrong, returned by
//! [`SerialEngine`](super::SerialEngine)'s own methods and mapped onto
//! [`EngineError`] by its [`CryptoEngine`](crate::engine::CryptoEngine) implementation.

use super::wire::{BridgeStatus, Operation, WireError};
use crate::engine::EngineError;

/// A failure on the serial link or an error answer of the bridge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerialError {
    /// The port could not be opened or configured.
    #[error("opening {port}: {detail}")]
    Open {
        /// The port's path.
        port: String,
        /// Why.
        detail: String,
    },
    /// No response with the request's SEQ within the read timeout. The request is not retried:
    /// whether it ran is unknown.
    #[error("no response to {op:?} (SEQ {seq}) within {ms} ms")]
    Timeout {
        /// The operation asked for.
        op: Operation,
        /// Its SEQ.
        seq: u8,
        /// The timeout.
        ms: u64,
    },
    /// A response arrived with a CRC that does not match.
    #[error("response to {op:?} failed its CRC (0x{got:04x}, computed 0x{want:04x})")]
    Crc {
        /// The operation asked for.
        op: Operation,
        /// CRC received.
        got: u16,
        /// CRC computed.
        want: u16,
    },
    /// A response that cannot be a frame (LEN over the largest payload the bridge sends).
    #[error("malformed response to {op:?}: {detail}")]
    Framing {
        /// The operation asked for.
        op: Operation,
        /// What was wrong.
        detail: String,
    },
    /// Reading or writing the port failed: the device went away (unplugged, board-sim ended).
    #[error("the device went away: {0}")]
    DeviceGone(String),
    /// The bridge answered the request with an error status.
    #[error("bridge answered {status:?} to {op:?}")]
    Bridge {
        /// The operation asked for.
        op: Operation,
        /// The bridge's status.
        status: BridgeStatus,
    },
    /// A well-formed answer that breaks the protocol (bad magic, version, payload length,
    /// unknown status).
    #[error("protocol: {0}")]
    Protocol(String),
    /// A request the host refuses to send (beyond the buffer or the fields).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl From<WireError> for SerialError {
    fn from(e: WireError) -> Self {
        SerialError::Protocol(e.to_string())
    }
}

impl From<SerialError> for EngineError {
    fn from(e: SerialError) -> Self {
        match e {
            SerialError::Bridge {
                status: BridgeStatus::Busy,
                ..
            } => EngineError::Busy,
            SerialError::Open { .. } => EngineError::Unavailable(e.to_string()),
            SerialError::Invalid(m) => EngineError::Invalid(m),
            SerialError::Bridge { .. } | SerialError::Protocol(_) => {
                EngineError::Protocol(format!("serial: {e}"))
            }
            SerialError::Timeout { .. }
            | SerialError::Crc { .. }
            | SerialError::Framing { .. }
            | SerialError::DeviceGone(_) => EngineError::Io(format!("serial: {e}")),
        }
    }
}
