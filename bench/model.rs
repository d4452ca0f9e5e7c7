//! Criterion benchmarks of the golden model: NEA2 and NIA2 at 16 B, 64 B, 1 KiB, 16 KiB; one KDF
//! call; one whole AIOTF command round (derive both keys, protect a 32-byte request, verify and
//! decipher a 32-byte response).
//!
//! `cargo bench --no-default-features --bench model`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use aiotsec::algorithms::{nea2_in_place, nia2};
use aiotsec::kdf::{derive_command_keys, kdf};
use aiotsec::keys::{Key128, Key256};
use aiotsec::messages::{Protector, protect};
use aiotsec::profile::{Profile, SecurityInputs};

const SIZES: [(usize, &str); 4] = [(16, "16B"), (64, "64B"), (1024, "1KiB"), (16384, "16KiB")];

fn inputs() -> SecurityInputs {
    SecurityInputs {
        count: 0x398a59b4,
        bearer: 0x15,
        direction: 1,
    }
}

fn algorithms(c: &mut Criterion) {
    let key = Key128::new([0x2b; 16]);
    let mut g = c.benchmark_group("nea2");
    for (n, name) in SIZES {
        let mut buf = vec![0xa5u8; n];
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(name, |b| {
            b.iter(|| nea2_in_place(&key, inputs(), black_box(&mut buf), n * 8).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("nia2");
    for (n, name) in SIZES {
        let buf = vec![0xa5u8; n];
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(name, |b| {
            b.iter(|| nia2(&key, inputs(), black_box(&buf), n * 8).unwrap())
        });
    }
    g.finish();
}

fn key_derivation(c: &mut Criterion) {
    let k = [0x45u8; 32];
    let s = aiotsec::kdf::kdf_input(0x69, &[&[0x07], &[0x02]]).unwrap();
    let plain_hmac = |k: &[u8]| {
        use hmac::{Hmac, Mac};
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(k).unwrap();
        m.update(&s);
        m.finalize().into_bytes()
    };
    assert_eq!(
        kdf(&k, 0x69, &[&[0x07], &[0x02]]).unwrap().expose()[..],
        plain_hmac(&k)[..]
    );
    let mut g = c.benchmark_group("kdf");
    g.bench_function("one_call", |b| {
        b.iter(|| kdf(black_box(&k), 0x69, &[&[0x07], &[0x02]]).unwrap())
    });
    // The same HMAC-SHA-256 through the hmac crate, over S assembled once.
    g.bench_function("one_call_hmac_crate", |b| {
        b.iter(|| plain_hmac(black_box(&k)))
    });
    g.finish();
}

mod naive;

fn command_round(c: &mut Criterion) {
    let p = Profile::default();
    let kaiotf = Key256::new([0x5c; 32]);
    // A 32-octet request and the device's 32-octet response, prepared outside the loop.
    let req_plain = [0x11u8; 32];
    let rsp_plain = [0x22u8; 32];
    let dev_keys = derive_command_keys(&p, &kaiotf).unwrap();
    let response = protect(&p, &dev_keys, p.response, &rsp_plain, true).unwrap();
    let ours = |kaiotf: &Key256, req_plain: &[u8], response: &[u8]| {
        let keys = derive_command_keys(&p, kaiotf).unwrap();
        let pr = Protector::new(&keys);
        let req = pr.protect(&p, p.request, req_plain, true).unwrap();
        let rsp = pr.unprotect(&p, p.response, response).unwrap();
        (req, rsp.plain)
    };
    // Both compositions must compute the same round before either is timed.
    assert_eq!(
        ours(&kaiotf, &req_plain, &response),
        naive::round(&p, kaiotf.expose(), &req_plain, &response)
    );
    let mut g = c.benchmark_group("aiotf");
    g.bench_function("command_round", |b| {
        b.iter(|| {
            ours(
                black_box(&kaiotf),
                black_box(&req_plain),
                black_box(&response),
            )
        })
    });
    g.bench_function("command_round_naive", |b| {
        b.iter(|| {
            naive::round(
                &p,
                black_box(kaiotf.expose()),
                black_box(&req_plain),
                black_box(&response),
            )
        })
    });
    // The parts of our round, to see where its time goes.
    g.bench_function("part/derive_command_keys", |b| {
        b.iter(|| derive_command_keys(&p, black_box(&kaiotf)).unwrap())
    });
    g.bench_function("part/prepare_keys", |b| {
        b.iter(|| Protector::new(black_box(&dev_keys)))
    });
    let pr = Protector::new(&dev_keys);
    g.bench_function("part/protect_32B", |b| {
        b.iter(|| {
            pr.protect(&p, p.request, black_box(&req_plain), true)
                .unwrap()
        })
    });
    g.bench_function("part/unprotect_32B", |b| {
        b.iter(|| pr.unprotect(&p, p.response, black_box(&response)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, algorithms, key_derivation, command_round);
criterion_main!(benches);
