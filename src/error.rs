//! Typed errors of the library: a leaf module (it imports nothing of the crate), so every layer
//! can use them. `messages` re-exports [`DecodeError`] and `engine` re-exports [`EngineError`].

use thiserror::Error;

/// Every failure the library reports. No input makes the library panic; it returns one of these.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A profile could not be used: its TOML does not parse or names an unknown key, a value is
    /// out of its range, request and response share COUNT/BEARER/DIRECTION (one keystream), or
    /// the file is not a regular file of at most 64 KiB. The text says which.
    #[error("profile: {0}")]
    Profile(String),
    /// A hex string (command line, test vector file) has an odd number of digits, a non-hex
    /// character, or a value too wide for its field (e.g. a COUNT of more than 4 octets).
    #[error("invalid hex: {0}")]
    Hex(String),
    /// A key was built from a slice of the wrong length.
    #[error("invalid key length: expected {expected} octets, got {got}")]
    KeyLength {
        /// Octets the key type holds: 16 for a 128-bit key, 32 for a 256-bit key.
        expected: usize,
        /// Octets that were given.
        got: usize,
    },
    /// The BEARER input of 128-NEA2/128-NIA2 is 32 or more: TS 33.401 Annex B gives it 5 bits
    /// (0..=31). The value given.
    #[error("BEARER {0} exceeds 5 bits")]
    Bearer(u8),
    /// The DIRECTION input of 128-NEA2/128-NIA2 is neither 0 (uplink) nor 1 (downlink): TS
    /// 33.401 Annex B gives it one bit. The value given.
    #[error("DIRECTION {0} is not 0 or 1")]
    Direction(u8),
    /// A 128-NEA2/128-NIA2 call asked for more bits (LENGTH) than its data holds.
    #[error("bit length {bits} needs {needed} octets but only {got} were given")]
    BitLength {
        /// The LENGTH input, in bits.
        bits: usize,
        /// Octets that LENGTH needs: `bits.div_ceil(8)`.
        needed: usize,
        /// Octets of data given.
        got: usize,
    },
    /// A TS 33.220 Annex B.2 KDF input parameter P_i is longer than its 2-octet length field L_i
    /// can state.
    #[error("KDF parameter {index} is {len} octets; at most 65535 fit its length field")]
    KdfParamTooLong {
        /// Which parameter, counted from 0 (P0 is `index` 0).
        index: usize,
        /// Its length in octets (more than 65535).
        len: usize,
    },
    /// An AIOT NAS message or frame could not be decoded; see [`DecodeError`].
    #[error("malformed message: {0}")]
    Decode(#[from] DecodeError),
    /// A 128-NIA2 MAC did not verify (the message is discarded, nothing of it is deciphered or
    /// acted on). The text says which message and, in the roles, whether the limit of failed
    /// checks (`limits.max_integrity_failures`) was reached.
    #[error("integrity check failed: {0}")]
    Integrity(&'static str),
    /// An input or state that the procedure does not allow and that is no replay: a nonce
    /// (N_AIOTF, N_DEV) of another length than the profile's, a second round started while one
    /// runs, a response whose ciphering indication differs from the request's, an unreadable or
    /// malformed test vector file, `cosim-merge` slices that are not one run, no entropy source.
    #[error("protocol: {0}")]
    Protocol(String),
    /// A message arrived that its receiver has no fresh round for: a second command on the same
    /// KAIOTF (the device allows one command per KAIOTF), a response with no round waiting, or a
    /// round started on an N_DEV that an earlier round used.
    #[error("replay: {0}")]
    Replay(&'static str),
    /// A crypto engine backend failed; see [`EngineError`].
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
    /// The command line combines options that do not go together (reported by the CLI, exit
    /// code 2).
    #[error("usage: {0}")]
    Usage(String),
}

/// Why a message could not be decoded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ends before a field is complete.
    #[error("truncated: {what} needs {needed} octets, {got} left")]
    Truncated {
        /// The field being read (e.g. "header", "MAC", "write data").
        what: &'static str,
        /// Octets the field needs.
        needed: usize,
        /// Octets left in the input.
        got: usize,
    },
    /// The message is complete but this many octets follow it.
    #[error("{0} trailing octets after the message")]
    Trailing(usize),
    /// A message (or a data field) is longer than the layout allows.
    #[error("message of {len} octets exceeds the maximum {max}")]
    TooLong {
        /// Its length in octets.
        len: usize,
        /// The most octets allowed, in general the profile's `layout.max_message_len` (or the
        /// plain length that leaves room for the header and MAC).
        max: usize,
    },
    /// The first octet (EPD, TS 24.007 clause 11.2.3.1.1) is not the profile's `layout.epd`.
    /// The octet found.
    #[error("unknown extended protocol discriminator 0x{0:02x}")]
    Epd(u8),
    /// The ciphering indication octet is neither the profile's `indication_null` nor its
    /// `indication_ciphered`. The octet found.
    #[error("unknown ciphering indication 0x{0:02x}")]
    Indication(u8),
    /// The message type octet is not the one expected here (the profile's Command Request or
    /// Command Response code). The octet found.
    #[error("unexpected message type 0x{0:02x}")]
    MessageType(u8),
    /// The command code of a Command Request is none of the profile's read, write and disable
    /// codes. The octet found.
    #[error("unknown command 0x{0:02x}")]
    Command(u8),
    /// The status code of a Command Response is none of the profile's status codes. The octet
    /// found.
    #[error("unknown status 0x{0:02x}")]
    Status(u8),
}

/// Failures of a backend (not protocol verdicts: those are
/// [`engine::Status`](crate::engine::Status)).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// An operation needing KCommand_enc/KCommand_int ran before `load_keys`, or after
    /// `zeroize` or a reset cleared them (the RTL answers status NO_KEYS).
    #[error("no keys loaded (load keys first, or keys were zeroized)")]
    NoKeys,
    /// The backend refused its arguments before running: BEARER/DIRECTION/bit length out of
    /// range, a stall probability outside [0, 1), a region or length the ports cannot carry, a
    /// co-simulation option that does not fit.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A region does not fit the engine's frame buffer.
    #[error("region of {len} octets at {addr} does not fit the {cap}-octet frame buffer")]
    Capacity {
        /// First octet of the region (frame buffer address).
        addr: usize,
        /// Its length in octets.
        len: usize,
        /// Size of the frame buffer in octets (2^ADDR_W for the RTL).
        cap: usize,
    },
    /// The RTL did not answer within its cycle budget (the watchdog of the driver, or the
    /// bounded wait for `cmd_ready` after reset); the model is then reset. The cycles waited.
    #[error("backend timed out after {0} cycles")]
    Timeout(u64),
    /// A file of the backend could not be opened or named: a VCD trace path that cannot be
    /// created or holds a NUL.
    #[error("backend I/O: {0}")]
    Io(String),
    /// The RTL broke its interface contract: a status code outside the defined set, a handshake
    /// or memory access the monitor rejects (an access outside the region, a write before the MAC
    /// verdict, a secret on an idle output), an answer of the wrong length, a panicked shard.
    #[error("backend protocol violation: {0}")]
    Protocol(String),
    /// The backend asked for cannot run: it is not built in (feature `rtl` off), the RTL was
    /// built with parameters other than the profile asks for (rebuild with that profile), or
    /// the Verilated engine did not come out of reset.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// The host tried to touch the frame buffer while the engine owns it (`mem_own` high: a
    /// command or its scrub is in progress).
    #[error("the engine owns the frame buffer (a command or its scrub is in progress)")]
    Busy,
}
