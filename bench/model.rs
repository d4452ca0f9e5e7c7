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

/// The same AIOTF command round composed naively from RustCrypto crates, the way their
/// documentation shows each one: a fresh `Hmac<Sha256>` per A.4 call, a fresh `Ctr128BE<Aes128>`
/// and `Cmac<Aes128>` per operation, the MAC input assembled in a vector. Same framing (the
/// library's layout), same octets out: checked against ours before the measurement.
mod naive {
    use aes::Aes128;
    use cmac::Cmac;
    use ctr::cipher::{KeyIvInit, StreamCipher};
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    use aiotsec::messages::lay_out;
    use aiotsec::profile::{MAC_LEN, Profile, SecurityInputs};

    type Ctr = ctr::Ctr128BE<Aes128>;

    fn kdf128(key: &[u8], s: &[u8]) -> [u8; 16] {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
        m.update(s);
        let out = m.finalize().into_bytes();
        out[16..32].try_into().expect("32-octet output")
    }

    fn iv(i: SecurityInputs) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv[..4].copy_from_slice(&i.count.to_be_bytes());
        iv[4] = (i.bearer << 3) | (i.direction << 2);
        iv
    }

    fn nia2(key: &[u8; 16], i: SecurityInputs, msg: &[u8]) -> [u8; 4] {
        let mut m = <Cmac<Aes128> as cmac::Mac>::new_from_slice(key).expect("16-octet key");
        m.update(&iv(i)[..8]);
        m.update(msg);
        m.finalize().into_bytes()[..4].try_into().expect("4 octets")
    }

    fn mac_input(p: &Profile, msg: &[u8]) -> Vec<u8> {
        let mo = p.layout.mac_offset(msg.len());
        [&msg[..mo], &msg[mo + MAC_LEN..]].concat()
    }

    /// Derive both keys, protect the request, verify and decipher the response.
    pub fn round(
        p: &Profile,
        kaiotf: &[u8; 32],
        req_plain: &[u8],
        response: &[u8],
    ) -> (Vec<u8>, Vec<u8>) {
        let c = &p.command_keys;
        let a = &p.algorithms;
        let enc = kdf128(kaiotf, &[c.fc, c.enc_distinguisher, 0, 1, a.nea2, 0, 1]);
        let int = kdf128(kaiotf, &[c.fc, c.int_distinguisher, 0, 1, a.nia2, 0, 1]);
        let bo = p.layout.body_offset();
        // Protect the request: cipher the body, MAC the whole message but the MAC field.
        let mut req = lay_out(p, req_plain, true);
        Ctr::new(&enc.into(), &iv(p.request).into()).apply_keystream(&mut req[bo..]);
        let mac = nia2(&int, p.request, &mac_input(p, &req));
        let mo = p.layout.mac_offset(req.len());
        req[mo..mo + MAC_LEN].copy_from_slice(&mac);
        // Verify, then decipher the response.
        let mo = p.layout.mac_offset(response.len());
        let expected = nia2(&int, p.response, &mac_input(p, response));
        assert!(expected[..] == response[mo..mo + MAC_LEN], "MAC mismatch");
        let mut plain = response[bo..].to_vec();
        Ctr::new(&enc.into(), &iv(p.response).into()).apply_keystream(&mut plain);
        (req, plain)
    }
}

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
