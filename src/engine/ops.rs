//! The engine's command encoding, shared by every hardware backend (the Verilated RTL of
//! `rtl`, the FPGA over a UART of `serial`): the operation codes of `cmd_op` ([`Op`]), the
//! response codes of `rsp_status` ([`status`], mapped onto [`Status`] by [`map_status`]) and the
//! command octets an operation streams after the command handshake ([`Op::command_octets`],
//! [`inputs_octets`]). The RTL (`hdl/engine/rtl/tag_crypto_engine.v`) is the other half.

use super::{EngineError, Status};
use crate::profile::SecurityInputs;

/// Engine operation codes (`cmd_op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// LOAD_KEYS: take KCommand_enc then KCommand_int as 32 command octets (octet 0 of each = bits
    /// `[127:120]`).
    LoadKeys = 0,
    /// ZEROIZE: clear the keys and every secret register (a 32-cycle scrub), then answer OK.
    Zeroize = 1,
    /// 128-NEA2 in place on `cmd_len` bits at `cmd_addr`, COUNT/BEARER/DIRECTION from 5 command
    /// octets.
    Nea2 = 2,
    /// 128-NIA2 over `cmd_len` bits at `cmd_addr`, COUNT/BEARER/DIRECTION from 5 command octets;
    /// the MAC is answered on `rsp_mac`.
    Nia2 = 3,
    /// UNPROTECT the request of `cmd_len` octets at `cmd_addr`: verify its MAC (request
    /// COUNT/BEARER/DIRECTION from the parameters), and only then decipher it in place.
    Unprotect = 4,
    /// PROTECT the laid-out response of `cmd_len` octets at `cmd_addr`: cipher it if its indication
    /// says so, then write its MAC.
    Protect = 5,
    /// HASH: SHA-256 or HMAC-SHA-256 over the `cmd_len`-octet region at `cmd_addr` (one command
    /// octet: bit 7 HMAC, bits 6..0 the key length, the key being the region's first octets);
    /// the 32-octet result is written at `cmd_addr`. For test vectors (a tag build leaves it out).
    Hash = 6,
    /// DERIVE: KAIOTF (Annex A.3) from the key store's K_AIoT and the nonces at `cmd_addr`
    /// (profile offsets), then KCommand_enc and KCommand_int (Annex A.4) into the key ring.
    Derive = 7,
}

/// The HASH command octet: bit 7 = HMAC, bits 6..0 = key octets (0..=64; 0 for SHA-256).
pub fn hash_octet(hmac: bool, klen: usize) -> Option<u8> {
    match (hmac, klen) {
        (false, 0) => Some(0),
        (true, 0..=64) => Some(0x80 | klen as u8),
        _ => None,
    }
}

impl Op {
    /// Command octets streamed on `dat_*` after the command handshake: LOAD_KEYS the two keys
    /// (32), NEA2 / NIA2 COUNT then BEARER || DIRECTION (5), HASH its mode octet (1), none for
    /// the others.
    pub fn command_octets(self) -> usize {
        match self {
            Op::LoadKeys => 32,
            Op::Nea2 | Op::Nia2 => 5,
            Op::Hash => 1,
            Op::Zeroize | Op::Unprotect | Op::Protect | Op::Derive => 0,
        }
    }
}

/// Response status codes (`rsp_status`).
pub mod status {
    /// The command completed.
    pub const OK: u8 = 0;
    /// UNPROTECT: the MAC did not verify; nothing was written.
    pub const MAC_FAIL: u8 = 1;
    /// UNPROTECT / PROTECT: the ciphering indication is neither `IND_NULL` nor `IND_CIPHERED`.
    pub const BAD_IND: u8 = 2;
    /// The region does not fit the frame buffer from `cmd_addr` on, or a message is shorter than
    /// the clear part plus the MAC.
    pub const BAD_LEN: u8 = 3;
    /// No keys loaded (since reset or the last zeroize) for an operation that needs them.
    pub const NO_KEYS: u8 = 4;
    /// The operation is not in this build (HASH / DERIVE without the KDF unit, LOAD_KEYS / HASH
    /// in a tag build).
    pub const BAD_OP: u8 = 5;
}

/// The [`Status`] a message-level `rsp_status` stands for (NO_KEYS and unknown codes are errors).
pub fn map_status(st: u8) -> Result<Status, EngineError> {
    match st {
        status::OK => Ok(Status::Ok),
        status::MAC_FAIL => Ok(Status::MacFailure),
        status::BAD_IND => Ok(Status::BadIndication),
        status::BAD_LEN => Ok(Status::BadLength),
        status::NO_KEYS => Err(EngineError::NoKeys),
        s => Err(EngineError::Protocol(format!("unexpected status {s}"))),
    }
}

/// The 5 command octets of NEA2 / NIA2: COUNT (big-endian), then BEARER (5 bits) || DIRECTION
/// (1 bit) || 2 bits the engine ignores (`junk`, masked to 2 bits).
pub fn inputs_octets(inputs: &SecurityInputs, junk: u8) -> [u8; 5] {
    let c = inputs.count.to_be_bytes();
    let b = ((inputs.bearer & 31) << 3) | ((inputs.direction & 1) << 2) | (junk & 3);
    [c[0], c[1], c[2], c[3], b]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_pack_like_the_rtl_expects() {
        let i = SecurityInputs {
            count: 0x3890_0000 | 0xab,
            bearer: 0x1f,
            direction: 1,
        };
        assert_eq!(inputs_octets(&i, 0), [0x38, 0x90, 0x00, 0xab, 0xfc]);
        assert_eq!(inputs_octets(&i, 0xff)[4], 0xff);
        let j = SecurityInputs {
            count: 1,
            bearer: 0,
            direction: 0,
        };
        assert_eq!(inputs_octets(&j, 0), [0, 0, 0, 1, 0]);
    }

    #[test]
    fn status_mapping() {
        assert_eq!(map_status(0), Ok(Status::Ok));
        assert_eq!(map_status(1), Ok(Status::MacFailure));
        assert_eq!(map_status(2), Ok(Status::BadIndication));
        assert_eq!(map_status(3), Ok(Status::BadLength));
        assert_eq!(map_status(4), Err(EngineError::NoKeys));
        assert!(matches!(map_status(5), Err(EngineError::Protocol(_))));
        assert_eq!(Op::LoadKeys.command_octets(), 32);
        assert_eq!(Op::Nia2.command_octets(), 5);
        assert_eq!(Op::Protect.command_octets(), 0);
        assert_eq!(Op::Hash.command_octets(), 1);
        assert_eq!(Op::Derive.command_octets(), 0);
        assert_eq!(hash_octet(false, 0), Some(0));
        assert_eq!(hash_octet(true, 32), Some(0xa0));
        assert_eq!(hash_octet(true, 64), Some(0xc0));
        assert_eq!(hash_octet(true, 65), None);
        assert_eq!(hash_octet(false, 1), None);
    }
}
