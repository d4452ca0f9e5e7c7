//! The serial backend of [`CryptoEngine`] (feature `serial`): [`SerialEngine`], the tag's engine
//! on an FPGA behind the UART bridge of `hdl/bridge/PROTOCOL.md`, over any byte link: a serial
//! port opened with `serialport` ([`SerialEngine::open`]: a board, or `aiotsec board-sim`'s
//! pseudo-terminal) or the in-memory [`FakeBridge`].
//!
//! The same transactions as the model and RTL backends: an operand is written into the board's
//! frame buffer at address 0 (WRITE requests of at most MAX_DATA octets each), the engine
//! command runs (COMMAND: the operation codes and command octets of
//! [`engine::ops`](crate::engine::ops), as the RTL backend drives them on the engine's ports),
//! and the result is read back (READ). Keys cross the wire in clear text (LOAD_KEYS): this is a
//! lab interface for verification, not a tag interface.
//!
//! Every request gets a new SEQ (1..=255, never 0, the SEQ of a frame the bridge saw cut before
//! its SEQ); a response with another SEQ is stale and discarded. Reads are bounded by a timeout;
//! nothing is retried (whether a WRITE, COMMAND or RESET ran after a timeout is unknown, and a
//! PING or READ is cheap to repeat by the caller). `aes_block` is not available: the board's
//! engine has no raw AES command.
//!
//! Files: `wire.rs` the frame format (its one definition on the host), `error.rs`
//! [`SerialError`], `fake.rs` [`FakeBridge`], this file the backend.

mod error;
mod fake;
pub mod wire;

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

pub use error::SerialError;
pub use fake::{FakeBridge, Fault};
use wire::{BridgeInfo, BridgeStatus, CommandResult, Frame, Operation, Parser};

use super::ops::{Op, inputs_octets, map_status, status};
use super::{CryptoEngine, EngineError, Outcome, Status};
use crate::keys::{Key128, Key256};
use crate::profile::{Profile, SecurityInputs};

/// Default baud rate of [`SerialEngine::open`] (the iCEBreaker build's UART: 12 clocks per bit at 12 MHz).
pub const DEFAULT_BAUD: u32 = 1_000_000;
/// Default read timeout of one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Octets on the wire, counted by [`SerialEngine`] from the frames it sends and receives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WireStats {
    /// Requests sent.
    pub requests: u64,
    /// Octets sent (every request frame, framing included).
    pub octets_out: u64,
    /// Octets received (every octet read, stale frames and noise included).
    pub octets_in: u64,
    /// Request payload octets.
    pub payload_out: u64,
    /// Response payload octets of the responses taken.
    pub payload_in: u64,
    /// Stale responses (another SEQ) discarded.
    pub stale: u64,
}

impl WireStats {
    /// Octets of framing: everything on the wire but the payloads.
    pub fn framing(&self) -> u64 {
        (self.octets_out + self.octets_in).saturating_sub(self.payload_out + self.payload_in)
    }
}

/// The tag's engine behind the UART bridge, over the byte link `L`.
pub struct SerialEngine<L: Read + Write> {
    link: L,
    profile: Profile,
    info: BridgeInfo,
    parser: Parser,
    /// Received octets not yet parsed.
    pending: Vec<u8>,
    seq: u8,
    timeout: Duration,
    stats: WireStats,
    last_cycles: u64,
    total_cycles: u64,
}

impl SerialEngine<Box<dyn serialport::SerialPort>> {
    /// Open `port` at `baud` (8N1, no flow control) with the read timeout `timeout` and PING the
    /// bridge (magic, version, ADDR_W, MAX_DATA).
    pub fn open(
        port: &str,
        baud: u32,
        timeout: Duration,
        profile: &Profile,
    ) -> Result<Self, SerialError> {
        let open_err = |e: serialport::Error| SerialError::Open {
            port: port.into(),
            detail: e.to_string(),
        };
        let p = serialport::new(port, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(Duration::from_millis(20))
            .open()
            .map_err(open_err)?;
        // Octets a previous session left behind are not answers to this one.
        let _ = p.clear(serialport::ClearBuffer::All);
        Self::connect(p, profile, timeout)
    }
}

impl<L: Read + Write> SerialEngine<L> {
    /// The engine on an open link: PING, then check the answer.
    pub fn connect(link: L, profile: &Profile, timeout: Duration) -> Result<Self, SerialError> {
        let mut e = Self {
            link,
            profile: profile.clone(),
            info: BridgeInfo {
                version: wire::VERSION,
                addr_w: 0,
                max_data: 0,
            },
            parser: Parser::new(wire::SYNC_RESPONSE, wire::PING_PAYLOAD),
            pending: Vec::new(),
            // a random first SEQ: a late answer to a previous session's last request is then
            // unlikely to carry the SEQ of this session's first
            seq: rand::random::<u8>(),
            timeout,
            stats: WireStats::default(),
            last_cycles: 0,
            total_cycles: 0,
        };
        // PING changes nothing, so it may be repeated: a previous host gone mid-frame leaves the
        // bridge inside a frame until its timeout, and our first PING may be taken into it
        let mut info = e.ping();
        for _ in 0..2 {
            match info {
                Ok(_) | Err(SerialError::DeviceGone(_)) => break,
                Err(_) => info = e.ping(),
            }
        }
        let info = info?;
        if info.version != wire::VERSION {
            return Err(SerialError::Protocol(format!(
                "bridge speaks protocol version {} (this host {})",
                info.version,
                wire::VERSION
            )));
        }
        let min_data = wire::COMMAND_HEADER + Op::LoadKeys.command_octets();
        if info.addr_w == 0 || info.addr_w > 16 || usize::from(info.max_data) < min_data {
            return Err(SerialError::Protocol(format!(
                "bridge reports ADDR_W {} and MAX_DATA {} (need 1..=16 and >= {min_data})",
                info.addr_w, info.max_data
            )));
        }
        e.info = info;
        e.parser.set_max_payload(info.max_payload());
        Ok(e)
    }

    /// What the bridge reported on PING.
    pub fn info(&self) -> BridgeInfo {
        self.info
    }

    /// Octets on the wire so far.
    pub fn stats(&self) -> WireStats {
        self.stats
    }

    /// Start counting octets afresh.
    pub fn reset_stats(&mut self) {
        self.stats = WireStats::default();
    }

    /// Change the read timeout of one request.
    pub fn set_timeout(&mut self, t: Duration) {
        self.timeout = t;
    }

    /// The link (to inject raw octets in tests, or to hand it back).
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    /// The profile followed.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The next SEQ: 1..=255, never 0.
    fn next_seq(&mut self) -> u8 {
        self.seq = if self.seq == 255 { 1 } else { self.seq + 1 };
        self.seq
    }

    /// Send one request and wait for its response (status OK): its payload. A bridge error
    /// status is [`SerialError::Bridge`]; nothing is retried.
    pub fn request(
        &mut self,
        op: Operation,
        payload: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SerialError> {
        let seq = self.next_seq();
        let frame = Frame::new(seq, op as u8, payload);
        let bytes = frame.encode(wire::SYNC_REQUEST)?;
        self.send_raw(&bytes)?;
        self.stats.requests += 1;
        self.stats.payload_out += payload.len() as u64;
        let r = self.await_response(op, seq)?;
        match BridgeStatus::from_u8(r.code) {
            Some(BridgeStatus::Ok) => {
                self.stats.payload_in += r.payload.len() as u64;
                Ok(r.payload.clone())
            }
            Some(status) => Err(SerialError::Bridge { op, status }),
            None => Err(SerialError::Protocol(format!(
                "unknown bridge status 0x{:02x} to {op:?}",
                r.code
            ))),
        }
    }

    /// Send `bytes` as they are (a frame the caller built, possibly malformed) and wait for the
    /// response carrying `seq`, as [`SerialEngine::request`] does (for tests of the bridge's
    /// error paths).
    pub fn exchange(
        &mut self,
        op: Operation,
        seq: u8,
        bytes: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SerialError> {
        self.send_raw(bytes)?;
        self.stats.requests += 1;
        let r = self.await_response(op, seq)?;
        match BridgeStatus::from_u8(r.code) {
            Some(BridgeStatus::Ok) => Ok(r.payload.clone()),
            Some(status) => Err(SerialError::Bridge { op, status }),
            None => Err(SerialError::Protocol(format!(
                "unknown bridge status 0x{:02x} to {op:?}",
                r.code
            ))),
        }
    }

    /// Write raw octets on the link (counted in [`WireStats::octets_out`]).
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), SerialError> {
        self.link
            .write_all(bytes)
            .and_then(|()| self.link.flush())
            .map_err(|e| SerialError::DeviceGone(e.to_string()))?;
        self.stats.octets_out += bytes.len() as u64;
        Ok(())
    }

    /// Read until the response with `seq` is complete, the timeout passes or the link fails.
    fn await_response(&mut self, op: Operation, seq: u8) -> Result<Frame, SerialError> {
        let deadline = Instant::now() + self.timeout;
        let mut at = 0usize;
        loop {
            while at < self.pending.len() {
                let b = self.pending[at];
                at += 1;
                match self.parser.push(b) {
                    None => {}
                    Some(Ok(f)) if f.seq == seq => {
                        self.pending.drain(..at);
                        return Ok(f);
                    }
                    Some(Ok(_)) => self.stats.stale += 1,
                    Some(Err(e)) => {
                        self.pending.drain(..at);
                        return Err(match e {
                            wire::WireError::Crc { got, want, .. } => {
                                SerialError::Crc { op, got, want }
                            }
                            e @ wire::WireError::TooLong { .. } => SerialError::Framing {
                                op,
                                detail: e.to_string(),
                            },
                        });
                    }
                }
            }
            self.pending.clear();
            at = 0;
            if Instant::now() >= deadline {
                // a partial frame is abandoned with the request
                self.parser.reset();
                return Err(SerialError::Timeout {
                    op,
                    seq,
                    ms: self.timeout.as_millis() as u64,
                });
            }
            let mut chunk = [0u8; 512];
            match self.link.read(&mut chunk) {
                Ok(n) => {
                    self.stats.octets_in += n as u64;
                    self.pending.extend_from_slice(&chunk[..n]);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(SerialError::DeviceGone(e.to_string())),
            }
        }
    }

    /// PING: the bridge's magic, version, ADDR_W and MAX_DATA.
    pub fn ping(&mut self) -> Result<BridgeInfo, SerialError> {
        let p = self.request(Operation::Ping, &[])?;
        BridgeInfo::decode(&p).ok_or_else(|| {
            SerialError::Protocol(format!("PING answer {} is not AIOT..", hex::encode(&p[..])))
        })
    }

    /// RESET: zeroize the engine and clear the bridge (keys are lost).
    pub fn reset(&mut self) -> Result<(), SerialError> {
        self.request(Operation::Reset, &[]).map(|_| ())
    }

    /// Checks `addr .. addr + len` lies in the frame buffer.
    fn check_range(&self, addr: usize, len: usize) -> Result<(), SerialError> {
        if addr + len > self.info.buffer_len() {
            return Err(SerialError::Invalid(format!(
                "{len} octets at {addr} do not fit the {}-octet frame buffer",
                self.info.buffer_len()
            )));
        }
        Ok(())
    }

    /// Write `data` into the frame buffer at `addr` (one WRITE per MAX_DATA octets).
    pub fn write_buffer(&mut self, addr: usize, data: &[u8]) -> Result<(), SerialError> {
        self.check_range(addr, data.len())?;
        let md = usize::from(self.info.max_data);
        for (i, chunk) in data.chunks(md).enumerate() {
            let a = (addr + i * md) as u16;
            let p = wire::write_payload(a, chunk);
            self.request(Operation::Write, &p)?;
        }
        Ok(())
    }

    /// Read `count` octets of the frame buffer at `addr` (one READ per MAX_DATA octets).
    pub fn read_buffer(&mut self, addr: usize, count: usize) -> Result<Vec<u8>, SerialError> {
        self.check_range(addr, count)?;
        let md = usize::from(self.info.max_data);
        let mut out = Vec::with_capacity(count);
        let mut a = addr;
        while out.len() < count {
            let n = (count - out.len()).min(md);
            let p = self.request(Operation::Read, &wire::read_payload(a as u16, n as u16))?;
            if p.len() != n {
                return Err(SerialError::Protocol(format!(
                    "READ of {n} octets answered {} octets",
                    p.len()
                )));
            }
            out.extend_from_slice(&p);
            a += n;
        }
        Ok(out)
    }

    /// One engine command: `op` with `addr`, `len` and its command `octets`. The cycle count is
    /// kept for [`CryptoEngine::last_cycles`].
    pub fn command(
        &mut self,
        op: Op,
        addr: usize,
        len: usize,
        octets: &[u8],
    ) -> Result<CommandResult, SerialError> {
        let len_max = (1usize << (u32::from(self.info.addr_w) + 4)) - 1;
        if addr >= self.info.buffer_len() || len > len_max.min(usize::from(u16::MAX)) {
            return Err(SerialError::Invalid(format!(
                "command address {addr} / length {len} does not fit the engine's ports"
            )));
        }
        let p = wire::command_payload(op as u8, addr as u16, len as u16, octets);
        let r = self.request(Operation::Command, &p)?;
        let c = CommandResult::decode(&r).ok_or_else(|| {
            SerialError::Protocol(format!("COMMAND answered {} payload octets", r.len()))
        })?;
        self.last_cycles = u64::from(c.cycles);
        self.total_cycles += u64::from(c.cycles);
        Ok(c)
    }

    /// An operand of `n` octets must fit the frame buffer.
    fn check_operand(&self, n: usize) -> Result<(), EngineError> {
        let cap = self.info.buffer_len();
        if n > cap {
            return Err(EngineError::Capacity {
                addr: 0,
                len: n,
                cap,
            });
        }
        Ok(())
    }

    fn check_bits(&self, data: &[u8], bits: usize) -> Result<usize, EngineError> {
        let n = crate::algorithms::octets_for(bits, data)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        self.check_operand(n)?;
        Ok(n)
    }

    /// Unprotect/protect common part.
    fn message_op(&mut self, op: Op, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        let n = frame.len();
        let cap = self.info.buffer_len();
        // a frame longer than the buffer is not written; the engine answers BAD_LEN
        if n <= cap && n > 0 {
            self.write_buffer(0, frame)?;
        }
        let r = self.command(op, 0, n, &[])?;
        let st = map_status(r.eng_status)?;
        if st != Status::Ok {
            return Ok(Outcome {
                status: st,
                ciphered: false,
                mac: [0; 4],
            });
        }
        let out = self.read_buffer(0, n)?;
        frame.copy_from_slice(&out);
        let l = &self.profile.layout;
        let ciphered = frame.get(l.indication_offset) == Some(&l.indication_ciphered);
        let mac = if op == Op::Protect {
            let m = r.mac.to_be_bytes();
            let at = l.mac_offset(n);
            if frame.get(at..at + 4) != Some(&m[..]) {
                return Err(EngineError::Protocol(
                    "PROTECT: the MAC in the frame differs from the MAC answered".into(),
                ));
            }
            m
        } else {
            [0; 4]
        };
        Ok(Outcome {
            status: Status::Ok,
            ciphered,
            mac,
        })
    }
}

fn check_inputs(inputs: &SecurityInputs) -> Result<(), EngineError> {
    crate::algorithms::check_inputs(inputs).map_err(|e| EngineError::Invalid(e.to_string()))
}

/// An engine status that must be OK for a raw command.
fn expect_ok(what: &str, st: u8) -> Result<(), EngineError> {
    match st {
        status::OK => Ok(()),
        status::NO_KEYS => Err(EngineError::NoKeys),
        s => Err(EngineError::Protocol(format!("{what} answered status {s}"))),
    }
}

impl<L: Read + Write> CryptoEngine for SerialEngine<L> {
    fn name(&self) -> &'static str {
        "serial"
    }

    fn load_keys(&mut self, enc: &Key128, int: &Key128) -> Result<(), EngineError> {
        let mut octets = Zeroizing::new([0u8; 32]);
        octets[..16].copy_from_slice(enc.expose());
        octets[16..].copy_from_slice(int.expose());
        let r = self.command(Op::LoadKeys, 0, 0, &octets[..])?;
        expect_ok("LOAD_KEYS", r.eng_status)
    }

    fn zeroize(&mut self) -> Result<(), EngineError> {
        match self.command(Op::Zeroize, 0, 0, &[]) {
            Ok(r) => expect_ok("ZEROIZE", r.eng_status),
            // a command still running: RESET zeroizes from any state
            Err(SerialError::Bridge {
                status: BridgeStatus::Busy,
                ..
            }) => Ok(self.reset()?),
            Err(e) => Err(e.into()),
        }
    }

    fn aes_block(&mut self, _key: &Key128, _block: &[u8; 16]) -> Result<[u8; 16], EngineError> {
        Err(EngineError::Unavailable(
            "the board's engine has no raw AES command (aes_block runs on the model and rtl \
             backends)"
                .into(),
        ))
    }

    fn hash(&mut self, key: Option<&[u8]>, msg: &[u8]) -> Result<Key256, EngineError> {
        crate::engine::check_hash_args(key, msg, self.info.buffer_len())?;
        let k = key.unwrap_or(&[]);
        let octet = crate::engine::ops::hash_octet(key.is_some(), k.len())
            .ok_or_else(|| EngineError::Invalid(format!("HMAC key of {} octets", k.len())))?;
        let mut region = Zeroizing::new(Vec::with_capacity(k.len() + msg.len()));
        region.extend_from_slice(k);
        region.extend_from_slice(msg);
        if !region.is_empty() {
            self.write_buffer(0, &region)?;
        }
        let r = self.command(Op::Hash, 0, region.len(), &[octet])?;
        if r.eng_status == status::BAD_OP {
            return Err(EngineError::Unavailable(
                "the board's engine has no HASH (built without the KDF unit, HAS_KDF = 0, or as \
                 a tag build, RAW_OPS = 0)"
                    .into(),
            ));
        }
        expect_ok("HASH", r.eng_status)?;
        let out = Zeroizing::new(self.read_buffer(0, 32)?);
        Key256::from_slice(&out).map_err(|e| EngineError::Protocol(e.to_string()))
    }

    fn nea2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<Vec<u8>, EngineError> {
        check_inputs(&inputs)?;
        let n = self.check_bits(data, bits)?;
        if n > 0 {
            self.write_buffer(0, &data[..n])?;
        }
        let r = self.command(Op::Nea2, 0, bits, &inputs_octets(&inputs, 0))?;
        expect_ok("NEA2", r.eng_status)?;
        if n == 0 {
            return Ok(Vec::new());
        }
        Ok(self.read_buffer(0, n)?)
    }

    fn nia2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<[u8; 4], EngineError> {
        check_inputs(&inputs)?;
        let n = self.check_bits(data, bits)?;
        if n > 0 {
            self.write_buffer(0, &data[..n])?;
        }
        let r = self.command(Op::Nia2, 0, bits, &inputs_octets(&inputs, 0))?;
        expect_ok("NIA2", r.eng_status)?;
        Ok(r.mac.to_be_bytes())
    }

    fn unprotect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        self.message_op(Op::Unprotect, frame)
    }

    fn protect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        self.message_op(Op::Protect, frame)
    }

    /// Board clock cycles of the last engine command (from its COMMAND response).
    fn last_cycles(&self) -> Option<u64> {
        Some(self.last_cycles)
    }

    /// Board clock cycles of every engine command since the engine was opened (the wire's
    /// time not included).
    fn total_cycles(&self) -> Option<u64> {
        Some(self.total_cycles)
    }
}

#[cfg(test)]
mod tests;
