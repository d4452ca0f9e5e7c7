//! The serial backend's figures: octets on the wire per transaction (counted by `SerialEngine`
//! from the frames it really sends and receives, printed first), and the host driver's own time
//! per transaction over an in-memory link that answers at once (`FakeBridge`: the bridge's
//! protocol over the golden model), beside the model alone doing the same work, so that the
//! difference is the driver plus the fake bridge's parsing, without the wire.
//!
//! `cargo bench --bench serial`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};

use aiotsec::engine::model::ModelEngine;
use aiotsec::engine::serial::{FakeBridge, SerialEngine, WireStats, wire};
use aiotsec::engine::{CryptoEngine, Outcome};
use aiotsec::keys::{CommandKeys, Key128};
use aiotsec::profile::{Profile, SecurityInputs};

fn keys() -> CommandKeys {
    CommandKeys {
        enc: Key128::new([0x2b; 16]),
        int: Key128::new([0x7e; 16]),
    }
}

fn inputs() -> SecurityInputs {
    SecurityInputs {
        count: 0x398a_59b4,
        bearer: 0x15,
        direction: 1,
    }
}

/// A ciphered Command Request of a 32-octet plain message, and a Command Response frame of the
/// same length to protect.
fn frames(p: &Profile) -> (Vec<u8>, Vec<u8>) {
    let req = aiotsec::messages::protect(p, &keys(), p.request, &[0x11; 32], true).unwrap();
    let mut rsp = vec![0x22u8; req.len()];
    rsp[p.layout.epd_offset] = p.layout.epd;
    rsp[p.layout.indication_offset] = p.layout.indication_ciphered;
    (req, rsp)
}

fn engine(p: &Profile) -> SerialEngine<FakeBridge> {
    let mut e = SerialEngine::connect(FakeBridge::new(p, 12, 256), p, Duration::from_secs(1))
        .expect("fake bridge");
    let k = keys();
    e.load_keys(&k.enc, &k.int).unwrap();
    e
}

fn row(name: &str, moved: usize, s: WireStats) {
    let wire = s.octets_out + s.octets_in;
    println!(
        "| {name} | {moved} | {} | {} / {} | {wire} | {} | {:.0} % |",
        s.requests,
        s.octets_out,
        s.octets_in,
        s.framing(),
        100.0 * moved as f64 / wire as f64
    );
}

/// The wire table: one transaction each, after LOAD_KEYS (counted on its own row).
fn wire_table() {
    let p = Profile::default();
    let (req, rsp) = frames(&p);
    println!(
        "framing: {} octets per request and per response ({} SYNC/SEQ/OP/LEN, 2 CRC)",
        wire::FRAMING,
        wire::HEADER
    );
    println!(
        "| transaction | message octets moved (in + out) | requests | octets out / in | octets on the wire | framing octets | efficiency |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut e = engine(&p);
    e.reset_stats();
    let k = keys();
    e.load_keys(&k.enc, &k.int).unwrap();
    row("LOAD_KEYS (once per round; 32 key octets)", 32, e.stats());
    e.reset_stats();
    let mut f = req.clone();
    let o: Outcome = e.unprotect(&mut f).unwrap();
    assert_eq!(o.status, aiotsec::engine::Status::Ok);
    row(
        &format!("UNPROTECT, {}-octet request (32-octet plain)", req.len()),
        2 * req.len(),
        e.stats(),
    );
    e.reset_stats();
    let mut f = rsp.clone();
    e.protect(&mut f).unwrap();
    row(
        &format!("PROTECT, {}-octet response", rsp.len()),
        2 * rsp.len(),
        e.stats(),
    );
    e.reset_stats();
    e.nia2(inputs(), &[0x33; 32], 256).unwrap();
    row("NIA2 over 32 octets (MAC in the response)", 32, e.stats());
    e.reset_stats();
    e.nea2(inputs(), &[0x33; 32], 256).unwrap();
    row("NEA2 over 32 octets", 64, e.stats());
}

fn driver(c: &mut Criterion) {
    let p = Profile::default();
    let (req, rsp) = frames(&p);
    let mut e = engine(&p);
    let mut m = ModelEngine::new(p.clone());
    let k = keys();
    m.load_keys(&k.enc, &k.int).unwrap();
    let mut g = c.benchmark_group("serial_driver");
    g.bench_function("unprotect_32/serial_fake", |b| {
        b.iter(|| {
            let mut f = req.clone();
            black_box(e.unprotect(black_box(&mut f)).unwrap())
        })
    });
    g.bench_function("unprotect_32/model", |b| {
        b.iter(|| {
            let mut f = req.clone();
            black_box(m.unprotect(black_box(&mut f)).unwrap())
        })
    });
    g.bench_function("protect_32/serial_fake", |b| {
        b.iter(|| {
            let mut f = rsp.clone();
            black_box(e.protect(black_box(&mut f)).unwrap())
        })
    });
    g.bench_function("protect_32/model", |b| {
        b.iter(|| {
            let mut f = rsp.clone();
            black_box(m.protect(black_box(&mut f)).unwrap())
        })
    });
    g.bench_function("nia2_32/serial_fake", |b| {
        b.iter(|| black_box(e.nia2(inputs(), black_box(&[0x33; 32]), 256).unwrap()))
    });
    g.bench_function("nia2_32/model", |b| {
        b.iter(|| black_box(m.nia2(inputs(), black_box(&[0x33; 32]), 256).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, driver);

fn main() {
    wire_table();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
