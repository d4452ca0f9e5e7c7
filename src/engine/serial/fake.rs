//! [`FakeBridge`]: the bridge of `hdl/bridge/PROTOCOL.md` in Rust, over the golden model, as an
//! in-memory byte link that answers at once. It is what [`SerialEngine`](super::SerialEngine) is
//! unit-tested and benchmarked against without a wire (the host driver's own time per
//! transaction); the Verilated bridge over a pty (`aiotsec board-sim`) is the real check.
//! [`Fault`]s injected into its next response exercise the host's error paths.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

use super::wire::{
    self, BridgeInfo, BridgeStatus, CommandResult, Frame, Operation, Parser, SYNC_REQUEST,
    SYNC_RESPONSE, WireError,
};
use crate::engine::model::ModelEngine;
use crate::engine::ops::{Op, inputs_octets, status};
use crate::engine::{CryptoEngine, EngineError, Status};
use crate::keys::Key128;
use crate::profile::{Profile, SecurityInputs};

/// A fault the [`FakeBridge`] puts into its next response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Run the request but send no response.
    DropResponse,
    /// Run the request, send the response with its CRC corrupted.
    CorruptCrc,
    /// Send a well-formed response with another SEQ (a late answer) before the real one.
    StaleFirst,
    /// Send noise (no SYNC) before the response.
    NoiseFirst,
}

/// The bridge as an in-memory link: [`Write`] takes the host's octets, [`Read`] gives the
/// responses (or [`io::ErrorKind::TimedOut`] when there is none, like a serial port).
pub struct FakeBridge {
    info: BridgeInfo,
    buf: Vec<u8>,
    model: ModelEngine,
    parser: Parser,
    out: VecDeque<u8>,
    faults: VecDeque<Fault>,
    executed: Vec<Operation>,
}

impl FakeBridge {
    /// A bridge with a frame buffer of 2^`addr_w` octets and `max_data` octets per WRITE/READ,
    /// its engine following `profile`.
    pub fn new(profile: &Profile, addr_w: u8, max_data: u16) -> Self {
        let info = BridgeInfo {
            version: wire::VERSION,
            addr_w,
            max_data,
        };
        Self {
            buf: vec![0; info.buffer_len()],
            model: ModelEngine::new(profile.clone()),
            parser: Parser::new(SYNC_REQUEST, info.max_payload()),
            out: VecDeque::new(),
            faults: VecDeque::new(),
            executed: Vec::new(),
            info,
        }
    }

    /// Put `f` into the next response (faults queue up, one per response).
    pub fn inject(&mut self, f: Fault) {
        self.faults.push_back(f);
    }

    /// The requests that passed every check and ran, in order.
    pub fn executed(&self) -> &[Operation] {
        &self.executed
    }

    /// The frame buffer.
    pub fn buffer(&self) -> &[u8] {
        &self.buf
    }

    fn respond(&mut self, seq: u8, st: BridgeStatus, payload: &[u8]) {
        let fault = self.faults.pop_front();
        let f = Frame::new(seq, st as u8, payload);
        let Ok(mut w) = f.encode(SYNC_RESPONSE) else {
            return;
        };
        match fault {
            Some(Fault::DropResponse) => return,
            Some(Fault::CorruptCrc) => {
                if let Some(last) = w.last_mut() {
                    *last ^= 0x5a;
                }
            }
            Some(Fault::StaleFirst) => {
                let stale = Frame::new(seq.wrapping_sub(7), BridgeStatus::Ok as u8, &[]);
                if let Ok(s) = stale.encode(SYNC_RESPONSE) {
                    self.out.extend(s.iter());
                }
            }
            Some(Fault::NoiseFirst) => self.out.extend([0x00, 0xff, 0x13, 0xa5, 0x42]),
            None => {}
        }
        self.out.extend(w.iter());
    }

    fn take(&mut self, b: u8) {
        match self.parser.push(b) {
            None => {}
            Some(Ok(f)) => self.request(&f),
            Some(Err(WireError::Crc { seq, .. })) => self.respond(seq, BridgeStatus::Crc, &[]),
            Some(Err(WireError::TooLong { seq, .. })) => self.respond(seq, BridgeStatus::Len, &[]),
        }
    }

    fn request(&mut self, f: &Frame) {
        let Some(op) = Operation::from_u8(f.code) else {
            return self.respond(f.seq, BridgeStatus::Op, &[]);
        };
        let p = &f.payload[..];
        let md = usize::from(self.info.max_data);
        let len_ok = match op {
            Operation::Ping | Operation::Reset => p.is_empty(),
            Operation::Write => p.len() >= 3 && p.len() <= md + 2,
            Operation::Read => p.len() == 4,
            Operation::Command => p.len() >= wire::COMMAND_HEADER && p.len() <= md + 2,
        };
        if !len_ok {
            return self.respond(f.seq, BridgeStatus::Len, &[]);
        }
        let be = |i: usize| usize::from(u16::from_be_bytes([p[i], p[i + 1]]));
        let cap = self.buf.len();
        let r: Result<Vec<u8>, BridgeStatus> = match op {
            Operation::Ping => Ok(self.info.encode().to_vec()),
            Operation::Reset => {
                let _ = self.model.zeroize();
                Ok(vec![])
            }
            Operation::Write => {
                let (a, d) = (be(0), &p[2..]);
                if a + d.len() > cap {
                    Err(BridgeStatus::Range)
                } else {
                    self.buf[a..a + d.len()].copy_from_slice(d);
                    Ok(vec![])
                }
            }
            Operation::Read => {
                let (a, n) = (be(0), be(2));
                if n == 0 || n > md || a + n > cap {
                    Err(BridgeStatus::Range)
                } else {
                    Ok(self.buf[a..a + n].to_vec())
                }
            }
            Operation::Command => {
                let (addr, elen) = (be(1), be(3));
                if p[0] > 7 || addr >= cap || elen >= cap << 4 {
                    Err(BridgeStatus::Range)
                } else {
                    self.command(p[0], addr, elen, &p[5..])
                        .map(|c| c.encode().to_vec())
                }
            }
        };
        match r {
            Ok(payload) => {
                self.executed.push(op);
                self.respond(f.seq, BridgeStatus::Ok, &payload)
            }
            Err(st) => self.respond(f.seq, st, &[]),
        }
    }

    /// One engine command on the model, on the frame buffer.
    fn command(
        &mut self,
        eng_op: u8,
        addr: usize,
        elen: usize,
        octets: &[u8],
    ) -> Result<CommandResult, BridgeStatus> {
        let need = match eng_op {
            0 => Op::LoadKeys.command_octets(),
            2 | 3 => Op::Nea2.command_octets(),
            _ => 0,
        };
        if octets.len() < need {
            let _ = self.model.zeroize();
            return Err(BridgeStatus::Octets);
        }
        let inputs = |o: &[u8]| SecurityInputs {
            count: u32::from_be_bytes([o[0], o[1], o[2], o[3]]),
            bearer: o[4] >> 3,
            direction: (o[4] >> 2) & 1,
        };
        let cap = self.buf.len();
        let done = |st: u8, mac: u32| {
            Ok(CommandResult {
                eng_status: st,
                mac,
                cycles: 0,
            })
        };
        let code = |e: EngineError| match e {
            EngineError::NoKeys => status::NO_KEYS,
            _ => status::BAD_LEN,
        };
        let stat = |s: Status| match s {
            Status::Ok => status::OK,
            Status::MacFailure => status::MAC_FAIL,
            Status::BadIndication => status::BAD_IND,
            Status::BadLength => status::BAD_LEN,
        };
        match eng_op {
            0 => {
                match (
                    Key128::from_slice(&octets[..16]),
                    Key128::from_slice(&octets[16..32]),
                ) {
                    (Ok(e), Ok(i)) => {
                        let _ = self.model.load_keys(&e, &i);
                        done(status::OK, 0)
                    }
                    _ => Err(BridgeStatus::Octets),
                }
            }
            1 => {
                let _ = self.model.zeroize();
                done(status::OK, 0)
            }
            2 | 3 => {
                let n = elen.div_ceil(8);
                if addr + n > cap {
                    return done(status::BAD_LEN, 0);
                }
                let inp = inputs(octets);
                debug_assert_eq!(inputs_octets(&inp, octets[4])[..4], octets[..4]);
                let data = self.buf[addr..addr + n].to_vec();
                if eng_op == 2 {
                    match self.model.nea2(inp, &data, elen) {
                        Ok(out) => {
                            self.buf[addr..addr + n].copy_from_slice(&out);
                            done(status::OK, 0)
                        }
                        Err(e) => done(code(e), 0),
                    }
                } else {
                    match self.model.nia2(inp, &data, elen) {
                        Ok(m) => done(status::OK, u32::from_be_bytes(m)),
                        Err(e) => done(code(e), 0),
                    }
                }
            }
            4 | 5 => {
                if addr + elen > cap {
                    return done(status::BAD_LEN, 0);
                }
                let mut frame = self.buf[addr..addr + elen].to_vec();
                let r = if eng_op == 4 {
                    self.model.unprotect(&mut frame)
                } else {
                    self.model.protect(&mut frame)
                };
                match r {
                    Ok(o) => {
                        if o.status == Status::Ok {
                            self.buf[addr..addr + elen].copy_from_slice(&frame);
                        }
                        done(stat(o.status), u32::from_be_bytes(o.mac))
                    }
                    Err(e) => done(code(e), 0),
                }
            }
            _ => done(status::BAD_OP, 0),
        }
    }
}

impl Write for FakeBridge {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        for &b in data {
            self.take(b);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for FakeBridge {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.out.is_empty() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        let n = out.len().min(self.out.len());
        for (o, b) in out.iter_mut().zip(self.out.drain(..n)) {
            *o = b;
        }
        Ok(n)
    }
}
