//! The serial backend through a pseudo-terminal against the Verilated board (`aiotsec
//! board-sim`: UART pins, bridge, engine, frame buffer), with no hardware: the official NEA2 /
//! NIA2 sets (TS 33.401 Annex C, from ../shared/vectors) and random transactions against the
//! model, and the bridge's error paths (garbage, bad CRC, wrong LEN, oversized and truncated
//! frames, a frame split over pauses, a host gone mid-frame, a wrong baud rate): each gives a
//! clear error on the host, the bridge recovers (PING works) and the frame buffer and keys are
//! as they were (read back, and an NIA2 under the loaded keys over the buffer in place).
//!
//! `AIOTSEC_PTY_COUNT` sets the number of random transactions (default 24, quick for CI).

#![cfg(all(feature = "rtl", feature = "serial"))]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use rand::{Rng, RngCore, SeedableRng};

use aiotsec::engine::model::ModelEngine;
use aiotsec::engine::ops::{Op, inputs_octets};
use aiotsec::engine::serial::wire::{self, BridgeStatus, Frame, Operation};
use aiotsec::engine::serial::{SerialEngine, SerialError};
use aiotsec::engine::{CryptoEngine, EngineError};
use aiotsec::keys::Key128;
use aiotsec::profile::{Profile, SecurityInputs};

type Port = Box<dyn serialport::SerialPort>;

/// `aiotsec board-sim`, killed when dropped.
struct BoardSim {
    child: Child,
    port: String,
}

impl BoardSim {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aiotsec"))
            .arg("board-sim")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiotsec board-sim");
        let out = child.stdout.take().expect("board-sim stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .expect("board-sim's first line");
        let port = line
            .trim()
            .strip_prefix("pty: ")
            .unwrap_or_else(|| panic!("first line `{line}` is not `pty: PATH`"))
            .to_string();
        Self { child, port }
    }

    fn open(&self, baud: u32) -> Result<SerialEngine<Port>, SerialError> {
        SerialEngine::open(
            &self.port,
            baud,
            Duration::from_millis(1500),
            &Profile::default(),
        )
    }
}

impl Drop for BoardSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const BAUD: u32 = 1_000_000;

fn inputs() -> SecurityInputs {
    SecurityInputs {
        count: 0x1234_5678,
        bearer: 7,
        direction: 1,
    }
}

/// The reference state: keys loaded and a pattern at 0..64; returns the NIA2 the model gives
/// over the pattern under the keys.
fn setup(e: &mut SerialEngine<Port>) -> ([u8; 4], Vec<u8>) {
    let (k1, k2) = (Key128::new([0x11; 16]), Key128::new([0x22; 16]));
    e.load_keys(&k1, &k2).expect("LOAD_KEYS");
    let pattern: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5c).collect();
    e.write_buffer(0, &pattern).expect("WRITE");
    let mut m = ModelEngine::new(Profile::default());
    m.load_keys(&k1, &k2).unwrap();
    let mac = m.nia2(inputs(), &pattern, pattern.len() * 8).unwrap();
    (mac, pattern)
}

/// The bridge answers PING, the buffer holds `pattern`, and NIA2 over it in place (no write)
/// gives `mac`: the keys are the ones loaded.
fn unchanged(e: &mut SerialEngine<Port>, mac: [u8; 4], pattern: &[u8], what: &str) {
    e.ping()
        .unwrap_or_else(|err| panic!("{what}: PING after: {err}"));
    let back = e.read_buffer(0, pattern.len()).expect("READ");
    assert_eq!(back, pattern, "{what}: the frame buffer changed");
    let r = e
        .command(Op::Nia2, 0, pattern.len() * 8, &inputs_octets(&inputs(), 0))
        .expect("NIA2 in place");
    assert_eq!(r.eng_status, 0, "{what}: NIA2 status");
    assert_eq!(r.mac.to_be_bytes(), mac, "{what}: the keys changed");
}

fn frame(seq: u8, op: Operation, payload: &[u8]) -> Vec<u8> {
    Frame::new(seq, op as u8, payload)
        .encode(wire::SYNC_REQUEST)
        .unwrap()
        .to_vec()
}

fn bridge_err(r: Result<impl std::fmt::Debug, SerialError>) -> BridgeStatus {
    match r {
        Err(SerialError::Bridge { status, .. }) => status,
        other => panic!("expected a bridge error, got {other:?}"),
    }
}

#[test]
fn official_sets_and_random_transactions_match_the_model() {
    let b = BoardSim::start();
    let mut e = b.open(BAUD).expect("open the board-sim pty");
    assert_eq!(e.info().max_data, 256);
    for v in aiotsec::vectors::nea2().expect("NEA2 vectors") {
        let k = Key128::new(v.key);
        e.load_keys(&k, &k).unwrap();
        let out = e.nea2(v.inputs, &v.plaintext, v.bits).unwrap();
        assert_eq!(out, v.ciphertext, "{}", v.name);
    }
    for v in aiotsec::vectors::nia2().expect("NIA2 vectors") {
        let k = Key128::new(v.key);
        e.load_keys(&k, &k).unwrap();
        let mac = e.nia2(v.inputs, &v.message, v.bits).unwrap();
        assert_eq!(mac, v.mac, "{}", v.name);
    }
    let count: usize = std::env::var("AIOTSEC_PTY_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let p = Profile::default();
    let mut m = ModelEngine::new(p.clone());
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for k in 0..count {
        let mut kk = [[0u8; 16]; 2];
        rng.fill_bytes(&mut kk[0]);
        rng.fill_bytes(&mut kk[1]);
        let (k1, k2) = (Key128::new(kk[0]), Key128::new(kk[1]));
        e.load_keys(&k1, &k2).unwrap();
        m.load_keys(&k1, &k2).unwrap();
        let i = SecurityInputs {
            count: rng.next_u32(),
            bearer: rng.gen_range(0..32),
            direction: rng.gen_range(0..2),
        };
        let bits = rng.gen_range(0..=1200);
        let mut data = vec![0u8; bits / 8 + 1];
        rng.fill_bytes(&mut data);
        match k % 3 {
            0 => assert_eq!(e.nea2(i, &data, bits), m.nea2(i, &data, bits), "r{k}"),
            1 => assert_eq!(e.nia2(i, &data, bits), m.nia2(i, &data, bits), "r{k}"),
            _ => {
                // a response to protect, then the same octets (tampered or not) to unprotect
                let mut f = vec![0u8; p.layout.min_message_len() + rng.gen_range(0..100)];
                rng.fill_bytes(&mut f);
                f[p.layout.epd_offset] = p.layout.epd;
                f[p.layout.indication_offset] = if rng.gen_bool(0.5) {
                    p.layout.indication_ciphered
                } else {
                    p.layout.indication_null
                };
                let (mut a, mut c) = (f.clone(), f.clone());
                assert_eq!(e.protect(&mut a), m.protect(&mut c), "r{k} protect");
                assert_eq!(a, c, "r{k} protect frame");
                let (mut a, mut c) = (f.clone(), f);
                assert_eq!(e.unprotect(&mut a), m.unprotect(&mut c), "r{k} unprotect");
                assert_eq!(a, c, "r{k} unprotect frame");
            }
        }
    }
    // RESET zeroizes the engine: no keys afterwards
    e.reset().unwrap();
    assert_eq!(e.nia2(inputs(), &[0; 4], 32), Err(EngineError::NoKeys));
}

#[test]
fn malformed_frames_get_errors_and_change_nothing() {
    let b = BoardSim::start();
    let mut e = b.open(BAUD).expect("open the board-sim pty");
    let (mac, pattern) = setup(&mut e);
    let write = wire::write_payload(0, &[0xee; 16]);

    // garbage octets (no SYNC) are skipped
    e.send_raw(&[0x00, 0xff, 0x13, 0x37, 0x5a, 0x42, 0x99])
        .unwrap();
    unchanged(&mut e, mac, &pattern, "garbage");

    // a bad CRC: ERR_CRC, no write
    let mut f = frame(0x31, Operation::Write, &write);
    let n = f.len();
    f[n - 1] ^= 0x01;
    assert_eq!(
        bridge_err(e.exchange(Operation::Write, 0x31, &f)),
        BridgeStatus::Crc
    );
    unchanged(&mut e, mac, &pattern, "bad CRC");

    // a LEN wrong for the OP (PING with a payload), an unknown OP, a READ beyond the buffer
    let f = frame(0x32, Operation::Ping, &[1, 2]);
    assert_eq!(
        bridge_err(e.exchange(Operation::Ping, 0x32, &f)),
        BridgeStatus::Len
    );
    let f = Frame::new(0x33, 0x7e, &[])
        .encode(wire::SYNC_REQUEST)
        .unwrap();
    assert_eq!(
        bridge_err(e.exchange(Operation::Ping, 0x33, &f)),
        BridgeStatus::Op
    );
    let r = e.request(Operation::Read, &wire::read_payload(4090, 16));
    assert_eq!(bridge_err(r), BridgeStatus::Range);
    let r = e.request(Operation::Write, &wire::write_payload(4090, &[0xee; 16]));
    assert_eq!(bridge_err(r), BridgeStatus::Range);
    // a COMMAND whose engine asks for more octets than given: ERR_OCTETS, the engine zeroized
    unchanged(&mut e, mac, &pattern, "LEN / OP / range");

    // oversized: LEN over MAX_DATA + 2 is answered at once, after the LEN field
    let big = (usize::from(e.info().max_data) + 3) as u16;
    let mut head = vec![wire::SYNC_REQUEST, 0x34, Operation::Write as u8];
    head.extend_from_slice(&big.to_be_bytes());
    assert_eq!(
        bridge_err(e.exchange(Operation::Write, 0x34, &head)),
        BridgeStatus::Len
    );
    unchanged(&mut e, mac, &pattern, "oversized");

    // truncated: a WRITE cut short, the host silent: ERR_TIMEOUT with its SEQ, no write
    let f = frame(0x35, Operation::Write, &write);
    assert_eq!(
        bridge_err(e.exchange(Operation::Write, 0x35, &f[..f.len() / 2])),
        BridgeStatus::Timeout
    );
    unchanged(&mut e, mac, &pattern, "truncated");

    // a frame split over pauses shorter than the bridge's timeout is taken
    let f = frame(0x36, Operation::Write, &wire::write_payload(0, &pattern));
    let third = f.len() / 3;
    e.send_raw(&f[..third]).unwrap();
    sleep(Duration::from_millis(150));
    e.send_raw(&f[third..2 * third]).unwrap();
    sleep(Duration::from_millis(150));
    e.exchange(Operation::Write, 0x36, &f[2 * third..])
        .expect("a WRITE split over two pauses of 150 ms");
    unchanged(&mut e, mac, &pattern, "split frame");

    // ERR_OCTETS: LOAD_KEYS with 4 of its 32 octets; the engine is zeroized
    let r = e.request(Operation::Command, &wire::command_payload(0, 0, 0, &[1; 4]));
    assert_eq!(bridge_err(r), BridgeStatus::Octets);
    assert_eq!(
        e.nia2(inputs(), &pattern, 8).map(|_| ()),
        Err(EngineError::NoKeys)
    );
}

#[test]
fn a_host_gone_mid_frame_and_a_wrong_baud_rate() {
    let b = BoardSim::start();
    let mut e = b.open(BAUD).expect("open the board-sim pty");
    let (mac, pattern) = setup(&mut e);
    // a host that goes away in the middle of a WRITE
    let f = frame(0x41, Operation::Write, &wire::write_payload(0, &[0xdd; 32]));
    e.send_raw(&f[..20]).unwrap();
    drop(e);
    sleep(Duration::from_millis(50));
    // the next host: its first PING may fall into the cut frame; connect repeats PING
    let mut e = b.open(BAUD).expect("a new host after one gone mid-frame");
    unchanged(&mut e, mac, &pattern, "host gone mid-frame");
    drop(e);

    // a host at the wrong baud rate: no usable answer, a clear error
    for baud in [115_200, 2_000_000] {
        match b.open(baud) {
            Err(SerialError::Timeout { .. })
            | Err(SerialError::Crc { .. })
            | Err(SerialError::Framing { .. })
            | Err(SerialError::Bridge { .. })
            | Err(SerialError::Protocol(_)) => {}
            Ok(_) => panic!("a host at {baud} baud got through"),
            Err(other) => panic!("{baud} baud: unexpected {other:?}"),
        }
    }
    // the garbage it sent left the bridge as it was
    let mut e = b.open(BAUD).expect("the right baud rate again");
    unchanged(&mut e, mac, &pattern, "wrong baud rate");
}

/// A long NIA2 (the whole 4 KiB buffer) as raw octets, then `second` pipelined right behind it
/// in the same write: the second frame arrives while the command runs. Returns the second's
/// response (awaited first: it is written while the command still runs) and the NIA2's.
fn behind_a_long_nia2(
    e: &mut SerialEngine<Port>,
    seq: u8,
    second: &[u8],
    second_op: Operation,
    second_seq: u8,
) -> (
    Result<zeroize::Zeroizing<Vec<u8>>, SerialError>,
    wire::CommandResult,
) {
    let n = e.info().buffer_len();
    let p = wire::command_payload(
        Op::Nia2 as u8,
        0,
        (n * 8) as u16,
        &inputs_octets(&inputs(), 0),
    );
    let mut raw = frame(seq, Operation::Command, &p);
    raw.extend_from_slice(second);
    e.send_raw(&raw).unwrap();
    let r2 = e.exchange(second_op, second_seq, &[]);
    let r1 = e
        .exchange(Operation::Command, seq, &[])
        .expect("the long NIA2 answers after the request behind it");
    let c = wire::CommandResult::decode(&r1).expect("a COMMAND payload");
    (r2, c)
}

#[test]
fn a_request_while_a_command_runs_gets_err_busy() {
    let b = BoardSim::start();
    let mut e = b.open(BAUD).expect("open the board-sim pty");
    let n = e.info().buffer_len();
    assert_eq!(n, 4096);
    let (k1, k2) = (Key128::new([0x5a; 16]), Key128::new([0xc3; 16]));
    e.load_keys(&k1, &k2).expect("LOAD_KEYS");
    let buf: Vec<u8> = (0..n).map(|i| (i * 7 + (i >> 8)) as u8 ^ 0xa5).collect();
    e.write_buffer(0, &buf).expect("WRITE of the whole buffer");
    let mut m = ModelEngine::new(Profile::default());
    m.load_keys(&k1, &k2).unwrap();
    let mac = m.nia2(inputs(), &buf, n * 8).unwrap();

    // WRITE, READ and COMMAND behind it: ERR_BUSY with their own SEQ, nothing written; the
    // NIA2's response still comes, with its SEQ and the model's MAC
    let write = frame(0x62, Operation::Write, &wire::write_payload(0, &[0xee; 16]));
    let read = frame(0x64, Operation::Read, &wire::read_payload(0, 16));
    let cmd = frame(
        0x66,
        Operation::Command,
        &wire::command_payload(Op::Nia2 as u8, 0, 64, &inputs_octets(&inputs(), 0)),
    );
    for (seq, second, op, seq2) in [
        (0x61, &write, Operation::Write, 0x62),
        (0x63, &read, Operation::Read, 0x64),
        (0x65, &cmd, Operation::Command, 0x66),
    ] {
        let (r2, c) = behind_a_long_nia2(&mut e, seq, second, op, seq2);
        match r2 {
            Err(SerialError::Bridge { status, .. }) => {
                assert_eq!(
                    status,
                    BridgeStatus::Busy,
                    "{op:?} behind a running command"
                )
            }
            other => panic!("{op:?} behind a running command: expected ERR_BUSY, got {other:?}"),
        }
        assert_eq!(c.eng_status, 0, "the long NIA2's status ({op:?} behind it)");
        assert_eq!(
            c.mac.to_be_bytes(),
            mac,
            "the long NIA2's MAC ({op:?} behind it)"
        );
        assert!(
            c.cycles > 1000,
            "the long NIA2 ran {} cycles: long enough to be busy",
            c.cycles
        );
    }
    // PING behind it is answered (first, while the command runs)
    let ping = frame(0x68, Operation::Ping, &[]);
    let (r2, c) = behind_a_long_nia2(&mut e, 0x67, &ping, Operation::Ping, 0x68);
    let info = r2.expect("PING behind a running command is answered");
    assert_eq!(&info[..4], b"AIOT");
    assert_eq!(
        c.mac.to_be_bytes(),
        mac,
        "the long NIA2's MAC (PING behind it)"
    );

    // then the bridge works as before: the refused WRITE changed nothing, the keys are there
    assert_eq!(
        e.read_buffer(0, n).expect("READ"),
        buf,
        "the frame buffer changed"
    );
    assert_eq!(e.nia2(inputs(), &buf, n * 8).unwrap(), mac);
    unchanged(
        &mut e,
        mac_of(&mut m, &buf[..64]),
        &buf[..64],
        "after ERR_BUSY",
    );
}

fn mac_of(m: &mut ModelEngine, data: &[u8]) -> [u8; 4] {
    m.nia2(inputs(), data, data.len() * 8).unwrap()
}
