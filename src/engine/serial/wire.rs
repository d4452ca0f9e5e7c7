//! The host <-> bridge frame format of `hdl/bridge/PROTOCOL.md`: its ONE definition on the host,
//! used by [`SerialEngine`](super::SerialEngine), the in-memory [`FakeBridge`](super::FakeBridge)
//! and the pty tests.
//!
//! Request: `SYNC 0xA5 | SEQ | OP | LEN (2, big-endian) | PAYLOAD (LEN) | CRC (2)`; response: `SYNC
//! 0x5A | SEQ | STATUS | LEN (2) | PAYLOAD | CRC (2)`; the CRC is CRC-16/CCITT-FALSE over every
//! octet after SYNC up to the CRC, most significant octet first. [`FRAMING`] = 7 octets of
//! framing per request and per response. A [`Parser`] takes a byte stream one octet at a time,
//! skips octets before a SYNC, bounds LEN, checks the CRC and hunts for the next SYNC after any
//! error, like the bridge.

use zeroize::{Zeroize, Zeroizing};

/// First octet of a request (host -> bridge).
pub const SYNC_REQUEST: u8 = 0xA5;
/// First octet of a response (bridge -> host).
pub const SYNC_RESPONSE: u8 = 0x5A;
/// Octets of a frame besides its payload: SYNC, SEQ, OP/STATUS, LEN (2), CRC (2).
pub const FRAMING: usize = 7;
/// Octets before the payload: SYNC, SEQ, OP/STATUS, LEN (2).
pub const HEADER: usize = 5;
/// The PING magic.
pub const MAGIC: [u8; 4] = *b"AIOT";
/// The protocol version this host speaks (PING reports the bridge's).
pub const VERSION: u8 = 0x01;
/// Octets of a PING response payload: magic, VERSION, ADDR_W, MAX_DATA (2).
pub const PING_PAYLOAD: usize = 8;
/// Octets of a COMMAND response payload: ENG_STATUS, MAC (4), CYCLES (4).
pub const COMMAND_PAYLOAD: usize = 9;
/// Octets of a COMMAND request payload before its command octets: ENG_OP, ADDR (2), ELEN (2).
pub const COMMAND_HEADER: usize = 5;

/// Bridge operations (the OP octet of a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// Magic, version, ADDR_W, MAX_DATA.
    Ping = 0x00,
    /// ADDR (2), DATA (1 .. MAX_DATA): frame[ADDR ..] = DATA.
    Write = 0x01,
    /// ADDR (2), COUNT (2): COUNT octets of frame[ADDR ..].
    Read = 0x02,
    /// ENG_OP, ADDR (2), ELEN (2), command octets: one engine command.
    Command = 0x03,
    /// Zeroize the engine and clear the bridge.
    Reset = 0x04,
}

impl Operation {
    /// The operation of an OP octet, if any.
    pub fn from_u8(op: u8) -> Option<Self> {
        Some(match op {
            0x00 => Self::Ping,
            0x01 => Self::Write,
            0x02 => Self::Read,
            0x03 => Self::Command,
            0x04 => Self::Reset,
            _ => return None,
        })
    }

    /// Whether the operation changes the bridge's or the engine's state (never retried).
    pub fn changes_state(self) -> bool {
        !matches!(self, Self::Ping | Self::Read)
    }
}

/// Bridge status codes (the STATUS octet of a response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BridgeStatus {
    /// Done.
    Ok = 0x00,
    /// The request's CRC did not match.
    Crc = 0x01,
    /// LEN over MAX_PAYLOAD, or wrong for the OP.
    Len = 0x02,
    /// Unknown OP.
    Op = 0x03,
    /// A command is running.
    Busy = 0x04,
    /// The request was cut short: no octet for TIMEOUT clocks inside a frame.
    Timeout = 0x05,
    /// A UART framing error (stop bit 0) inside a frame.
    Framing = 0x06,
    /// ADDR / COUNT / DATA beyond the frame buffer, or ADDR / ELEN beyond the engine's fields.
    Range = 0x07,
    /// The engine asked for more command octets than the COMMAND carried (engine zeroized).
    Octets = 0x08,
    /// The COMMAND was abandoned by RESET.
    Aborted = 0x09,
}

impl BridgeStatus {
    /// The status of a STATUS octet, if any.
    pub fn from_u8(s: u8) -> Option<Self> {
        Some(match s {
            0x00 => Self::Ok,
            0x01 => Self::Crc,
            0x02 => Self::Len,
            0x03 => Self::Op,
            0x04 => Self::Busy,
            0x05 => Self::Timeout,
            0x06 => Self::Framing,
            0x07 => Self::Range,
            0x08 => Self::Octets,
            0x09 => Self::Aborted,
            _ => return None,
        })
    }
}

/// CRC-16/CCITT-FALSE table, generated from the polynomial 0x1021 (MSB first).
const CRC_TABLE: [u16; 256] = crc_table();

const fn crc_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u16) << 8;
        let mut j = 0;
        while j < 8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
            j += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// Continue a CRC-16/CCITT-FALSE over `data` from `crc`.
pub fn crc16_update(mut crc: u16, data: &[u8]) -> u16 {
    for &b in data {
        crc = (crc << 8) ^ CRC_TABLE[usize::from((crc >> 8) as u8 ^ b)];
    }
    crc
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR).
pub fn crc16(data: &[u8]) -> u16 {
    crc16_update(0xffff, data)
}

/// One frame, request or response: `code` is the OP of a request, the STATUS of a response. The
/// payload is wiped when the frame is dropped (a LOAD_KEYS request carries keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The sequence number.
    pub seq: u8,
    /// OP (request) or STATUS (response).
    pub code: u8,
    /// The payload.
    pub payload: Zeroizing<Vec<u8>>,
}

impl Frame {
    /// A frame of `payload`.
    pub fn new(seq: u8, code: u8, payload: &[u8]) -> Self {
        Self {
            seq,
            code,
            payload: Zeroizing::new(payload.to_vec()),
        }
    }

    /// The frame on the wire behind `sync` ([`SYNC_REQUEST`] or [`SYNC_RESPONSE`]).
    /// [`WireError::TooLong`] if the payload does not fit the 16-bit LEN field.
    pub fn encode(&self, sync: u8) -> Result<Zeroizing<Vec<u8>>, WireError> {
        let len = u16::try_from(self.payload.len()).map_err(|_| WireError::TooLong {
            seq: self.seq,
            len: self.payload.len(),
            max: usize::from(u16::MAX),
        })?;
        let mut v = Zeroizing::new(Vec::with_capacity(FRAMING + self.payload.len()));
        v.push(sync);
        v.push(self.seq);
        v.push(self.code);
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&self.payload);
        let crc = crc16(&v[1..]);
        v.extend_from_slice(&crc.to_be_bytes());
        Ok(v)
    }

    /// Octets of this frame on the wire.
    pub fn wire_len(&self) -> usize {
        FRAMING + self.payload.len()
    }
}

/// What a [`Parser`] rejects (it then hunts for the next SYNC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The CRC does not match.
    #[error("CRC mismatch (frame says 0x{got:04x}, computed 0x{want:04x})")]
    Crc {
        /// The SEQ the frame claimed (not trustworthy).
        seq: u8,
        /// The CRC received.
        got: u16,
        /// The CRC computed.
        want: u16,
    },
    /// LEN over the largest payload accepted.
    #[error("LEN {len} over the largest payload accepted ({max})")]
    TooLong {
        /// The SEQ the frame claimed (0 when encoding).
        seq: u8,
        /// LEN of the frame.
        len: usize,
        /// The bound.
        max: usize,
    },
}

/// Where a [`Parser`] is in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Skipping octets until a SYNC.
    Hunt,
    /// After SYNC: collecting SEQ, code, LEN, payload and CRC.
    InFrame,
}

/// A streaming frame parser: one octet at a time, frames behind `sync`, payloads of at most
/// `max_payload` octets (a longer LEN is rejected at once, without waiting for the payload).
#[derive(Debug)]
pub struct Parser {
    sync: u8,
    max_payload: usize,
    state: State,
    /// SEQ, code, LEN, payload, CRC of the frame being read (wiped when dropped).
    buf: Zeroizing<Vec<u8>>,
    skipped: u64,
}

impl Parser {
    /// A parser of frames behind `sync` with payloads up to `max_payload` octets.
    pub fn new(sync: u8, max_payload: usize) -> Self {
        Self {
            sync,
            max_payload,
            state: State::Hunt,
            buf: Zeroizing::new(Vec::with_capacity(max_payload.min(1024) + FRAMING)),
            skipped: 0,
        }
    }

    /// Change the payload bound (after a PING told the bridge's MAX_DATA).
    pub fn set_max_payload(&mut self, max: usize) {
        self.max_payload = max;
    }

    /// Octets skipped outside frames so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Whether the parser is inside a frame (a SYNC seen, the frame not complete).
    pub fn in_frame(&self) -> bool {
        self.state == State::InFrame
    }

    /// Drop any partial frame and hunt for the next SYNC.
    pub fn reset(&mut self) {
        self.state = State::Hunt;
        self.buf.zeroize();
        self.buf.clear();
    }

    /// Take one octet: a complete frame, a rejected one, or nothing yet.
    pub fn push(&mut self, b: u8) -> Option<Result<Frame, WireError>> {
        match self.state {
            State::Hunt => {
                if b == self.sync {
                    self.state = State::InFrame;
                    self.buf.clear();
                } else {
                    self.skipped += 1;
                }
                None
            }
            State::InFrame => {
                self.buf.push(b);
                let n = self.buf.len();
                if n < 4 {
                    return None;
                }
                let len = usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]]));
                if len > self.max_payload {
                    let seq = self.buf[0];
                    self.reset();
                    return Some(Err(WireError::TooLong {
                        seq,
                        len,
                        max: self.max_payload,
                    }));
                }
                if n < 4 + len + 2 {
                    return None;
                }
                let want = crc16(&self.buf[..4 + len]);
                let got = u16::from_be_bytes([self.buf[4 + len], self.buf[5 + len]]);
                let r = if got == want {
                    Ok(Frame::new(self.buf[0], self.buf[1], &self.buf[4..4 + len]))
                } else {
                    Err(WireError::Crc {
                        seq: self.buf[0],
                        got,
                        want,
                    })
                };
                self.reset();
                Some(r)
            }
        }
    }
}

/// The bridge's PING answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BridgeInfo {
    /// Protocol version.
    pub version: u8,
    /// Frame-buffer address width (the buffer holds 2^ADDR_W octets).
    pub addr_w: u8,
    /// Most data octets of one WRITE / READ.
    pub max_data: u16,
}

impl BridgeInfo {
    /// Octets of the frame buffer.
    pub fn buffer_len(&self) -> usize {
        1usize << self.addr_w.min(24)
    }

    /// The largest request / response payload: MAX_DATA + 2.
    pub fn max_payload(&self) -> usize {
        usize::from(self.max_data) + 2
    }

    /// The PING response payload.
    pub fn encode(&self) -> [u8; PING_PAYLOAD] {
        let m = self.max_data.to_be_bytes();
        [
            MAGIC[0],
            MAGIC[1],
            MAGIC[2],
            MAGIC[3],
            self.version,
            self.addr_w,
            m[0],
            m[1],
        ]
    }

    /// Parse a PING response payload; `None` unless it is 8 octets behind the magic.
    pub fn decode(p: &[u8]) -> Option<Self> {
        if p.len() != PING_PAYLOAD || p[..4] != MAGIC {
            return None;
        }
        Some(Self {
            version: p[4],
            addr_w: p[5],
            max_data: u16::from_be_bytes([p[6], p[7]]),
        })
    }
}

/// The answer to a COMMAND: the engine's `rsp_status`, `rsp_mac` and the clock cycles from the
/// command handshake to the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CommandResult {
    /// `rsp_status`.
    pub eng_status: u8,
    /// `rsp_mac`.
    pub mac: u32,
    /// Cycles of the command on the board.
    pub cycles: u32,
}

impl CommandResult {
    /// The COMMAND response payload.
    pub fn encode(&self) -> [u8; COMMAND_PAYLOAD] {
        let mut p = [0u8; COMMAND_PAYLOAD];
        p[0] = self.eng_status;
        p[1..5].copy_from_slice(&self.mac.to_be_bytes());
        p[5..9].copy_from_slice(&self.cycles.to_be_bytes());
        p
    }

    /// Parse a COMMAND response payload (9 octets).
    pub fn decode(p: &[u8]) -> Option<Self> {
        if p.len() != COMMAND_PAYLOAD {
            return None;
        }
        Some(Self {
            eng_status: p[0],
            mac: u32::from_be_bytes([p[1], p[2], p[3], p[4]]),
            cycles: u32::from_be_bytes([p[5], p[6], p[7], p[8]]),
        })
    }
}

/// WRITE payload: ADDR, DATA.
pub fn write_payload(addr: u16, data: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut p = Zeroizing::new(Vec::with_capacity(2 + data.len()));
    p.extend_from_slice(&addr.to_be_bytes());
    p.extend_from_slice(data);
    p
}

/// READ payload: ADDR, COUNT.
pub fn read_payload(addr: u16, count: u16) -> [u8; 4] {
    let a = addr.to_be_bytes();
    let c = count.to_be_bytes();
    [a[0], a[1], c[0], c[1]]
}

/// COMMAND payload: ENG_OP, ADDR, ELEN, the command octets (wiped when dropped: keys).
pub fn command_payload(eng_op: u8, addr: u16, elen: u16, octets: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut p = Zeroizing::new(Vec::with_capacity(COMMAND_HEADER + octets.len()));
    p.push(eng_op);
    p.extend_from_slice(&addr.to_be_bytes());
    p.extend_from_slice(&elen.to_be_bytes());
    p.extend_from_slice(octets);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc_check_value() {
        // The CRC catalogue's check value of CRC-16/CCITT-FALSE.
        assert_eq!(crc16(b"123456789"), 0x29b1);
        assert_eq!(crc16(b""), 0xffff);
        assert_eq!(crc16_update(crc16(b"1234"), b"56789"), 0x29b1);
    }

    /// A bit-at-a-time CRC straight from the definition, to check the table.
    fn crc16_bitwise(data: &[u8]) -> u16 {
        let mut crc = 0xffffu16;
        for &b in data {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn ping_frame_bytes() {
        let f = Frame::new(0x01, Operation::Ping as u8, &[]);
        let w = f.encode(SYNC_REQUEST).unwrap();
        let crc = crc16(&[0x01, 0x00, 0x00, 0x00]).to_be_bytes();
        assert_eq!(&w[..], &[0xa5, 0x01, 0x00, 0x00, 0x00, crc[0], crc[1]]);
        assert_eq!(w.len(), FRAMING);
    }

    #[test]
    fn too_long_rejected_at_len() {
        let mut p = Parser::new(SYNC_RESPONSE, 16);
        assert!(p.push(0x5a).is_none());
        assert!(p.push(1).is_none());
        assert!(p.push(0).is_none());
        assert!(p.push(0).is_none());
        assert_eq!(
            p.push(17),
            Some(Err(WireError::TooLong {
                seq: 1,
                len: 17,
                max: 16
            }))
        );
        assert!(!p.in_frame());
    }

    #[test]
    fn ping_and_command_payloads_round_trip() {
        let i = BridgeInfo {
            version: 1,
            addr_w: 12,
            max_data: 256,
        };
        assert_eq!(BridgeInfo::decode(&i.encode()), Some(i));
        assert_eq!(i.buffer_len(), 4096);
        assert!(BridgeInfo::decode(b"AIOX\x01\x0c\x01\x00").is_none());
        assert!(BridgeInfo::decode(b"AIOT\x01\x0c\x01").is_none());
        let c = CommandResult {
            eng_status: 1,
            mac: 0xdead_beef,
            cycles: 1234,
        };
        assert_eq!(CommandResult::decode(&c.encode()), Some(c));
        assert!(CommandResult::decode(&[0; 8]).is_none());
        for op in 0..=255u8 {
            if let Some(o) = Operation::from_u8(op) {
                assert_eq!(o as u8, op);
            }
            if let Some(s) = BridgeStatus::from_u8(op) {
                assert_eq!(s as u8, op);
            }
        }
    }

    proptest! {
        #[test]
        fn crc_table_matches_definition(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(crc16(&data), crc16_bitwise(&data));
        }

        /// Any frame, behind any garbage without a SYNC, parses back to itself.
        #[test]
        fn encode_parse_round_trip(
            seq: u8, code: u8,
            payload in proptest::collection::vec(any::<u8>(), 0..300),
            garbage in proptest::collection::vec(any::<u8>(), 0..20),
        ) {
            let f = Frame::new(seq, code, &payload);
            let w = f.encode(SYNC_RESPONSE).unwrap();
            prop_assert_eq!(w.len(), FRAMING + payload.len());
            let mut p = Parser::new(SYNC_RESPONSE, 300);
            let mut got = Vec::new();
            for &b in garbage.iter().filter(|&&b| b != SYNC_RESPONSE).chain(w.iter()) {
                if let Some(r) = p.push(b) {
                    got.push(r);
                }
            }
            prop_assert_eq!(got, vec![Ok(f)]);
        }

        /// Any corrupted octet after SYNC but outside LEN is caught by the CRC (a burst of at
        /// most 8 bits: CRC-16 detects every burst up to 16), and the parser then takes the
        /// next good frame. (A corrupted LEN moves the frame's end; the bridge's timeout and
        /// the host's then apply: see the pty tests.)
        #[test]
        fn corruption_detected_then_resync(
            seq: u8, code: u8,
            payload in proptest::collection::vec(any::<u8>(), 0..64),
            at: prop::sample::Index, flip in 1u8..=255,
        ) {
            let f = Frame::new(seq, code, &payload);
            let mut w = f.encode(SYNC_RESPONSE).unwrap().to_vec();
            let i = [1usize, 2].into_iter().chain(5..w.len()).nth(at.index(w.len() - 3)).unwrap_or(1);
            w[i] ^= flip;
            let mut p = Parser::new(SYNC_RESPONSE, 64);
            let mut outs = Vec::new();
            for &b in &w {
                if let Some(r) = p.push(b) {
                    outs.push(r);
                }
            }
            prop_assert_eq!(outs.len(), 1);
            let crc_error = matches!(outs[0], Err(WireError::Crc { .. }));
            prop_assert!(crc_error, "{:?}", outs);
            let mut next = Vec::new();
            for &b in f.encode(SYNC_RESPONSE).unwrap().iter() {
                if let Some(r) = p.push(b) {
                    next.push(r);
                }
            }
            prop_assert_eq!(next, vec![Ok(f)]);
        }

        /// The parser never panics and never allocates past its bound on any input.
        #[test]
        fn parser_total_on_garbage(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let mut p = Parser::new(SYNC_REQUEST, 32);
            for &b in &data {
                if let Some(Ok(f)) = p.push(b) {
                    prop_assert!(f.payload.len() <= 32);
                }
                prop_assert!(p.buf.len() <= 32 + 6);
            }
        }
    }
}
