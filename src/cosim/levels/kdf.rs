//! Level `kdf`: the engine's SHA-256 / HMAC-SHA-256 unit through the HASH command and its key
//! derivation through DERIVE. Directed: the TS 33.220 KDF answers, the RFC 4231 HMAC-SHA-256
//! examples (a key longer than a block hashed on the engine first, RFC 2104), the FIPS 180-4
//! example messages (built from their definitions; the digests from the `sha2` crate, an
//! implementation independent of the model's), every message length around the padding
//! boundaries, every key length 0..=64 and beyond; DERIVE with 16- and 32-octet K_AIoT checked
//! by its effect (NEA2, NIA2 and PROTECT under the derived keys equal the model's), a DERIVE
//! with a region too short refused with the key ring unchanged, and no secret bit after
//! ZEROIZE. Random: `count / 20` transactions beyond the run's `count` (global indices
//! `count ..`), keys of random length, FC values, parameter counts and lengths (multi-block S),
//! with back-pressure, plus a DERIVE in every fourth.

use rand::{Rng, RngCore};
use sha2::Digest;

use super::super::runner::Runner;
use super::super::txn::{Txn, TxnOut};
use crate::engine::CryptoEngine;
use crate::engine::rtl::{Op, status};
use crate::profile::SecurityInputs;
use crate::vectors;

/// The level; `count` is the run's random transaction count (this level adds `count / 20`).
pub(super) fn run(r: &mut Runner, count: usize) {
    r.begin("kdf");
    if r.directed {
        kdf_answers(r);
        rfc4231(r);
        fips180(r);
        lengths(r);
        derive_directed(r);
        if r.serial.is_none() {
            derive_short_region(r);
            zeroize_after_derive(r);
        }
    }
    let n = (count / 20) as u64;
    let stall = r.opts.stall_prob;
    for k in r.randoms(count as u64, n) {
        r.begin_random(k);
        let txn = if k % 4 == 3 {
            random_derive(r)
        } else {
            random_kdf(r)
        };
        r.check("random", txn, stall, true);
    }
    r.end();
}

/// The TS 33.220 KDF known answers (the truncation-only example has no S and is skipped).
fn kdf_answers(r: &mut Runner) {
    let set = match vectors::kdf() {
        Ok(v) => v,
        Err(e) => {
            r.expect("KDF vector file", false, || e.to_string());
            return;
        }
    };
    for v in set {
        let Some(fc) = v.fc else { continue };
        let params: Vec<&[u8]> = v.params.iter().map(Vec::as_slice).collect();
        let s = match crate::kdf::kdf_input(fc, &params) {
            Ok(s) => s,
            Err(e) => {
                r.expect(&v.name, false, || e.to_string());
                continue;
            }
        };
        let txn = Txn::Hash {
            key: Some(v.key.clone()),
            msg: s,
        };
        if v.truncated {
            let m = txn.run(&mut r.model);
            let ok =
                matches!(&m, Ok(TxnOut::Bytes(d)) if d.len() == 32 && d[16..] == v.expected[..]);
            r.expect(&format!("{} (model vs vector)", v.name), ok, || {
                format!("model {m:?}")
            });
            r.check(&v.name, txn, 0.0, false);
        } else {
            r.check_vs(&v.name, txn, TxnOut::Bytes(v.expected.clone()));
        }
    }
}

/// The RFC 4231 HMAC-SHA-256 examples of `aes_modes.json` (test case 5 is truncated to 128
/// bits; test cases 6 and 7 have 131-octet keys, hashed on the engine first).
fn rfc4231(r: &mut Runner) {
    let set = match vectors::aes_modes() {
        Ok((_, _, h)) => h,
        Err(e) => {
            r.expect("HMAC vector file", false, || e.to_string());
            return;
        }
    };
    for v in set {
        let txn = Txn::Hash {
            key: Some(v.key.clone()),
            msg: v.message.clone(),
        };
        if v.mac.len() == 32 {
            r.check_vs(&v.name, txn, TxnOut::Bytes(v.mac.clone()));
        } else {
            let m = txn.run(&mut r.model);
            let n = v.mac.len();
            let ok = matches!(&m, Ok(TxnOut::Bytes(d)) if n <= 32 && d[..n] == v.mac[..]);
            r.expect(&format!("{} (model vs vector)", v.name), ok, || {
                format!("model {m:?}")
            });
            r.check(&v.name, txn, 0.0, false);
        }
    }
}

/// The FIPS 180-4 example messages, built from their definitions: "abc", the 448-bit
/// "abcdbcde..." (two blocks after padding), the 896-bit "abcdefghbcdefghi...", the empty
/// message and 1,000 octets of "a" (the million-"a" example shortened to fit the buffer).
fn fips180(r: &mut Runner) {
    let abc = b"abc".to_vec();
    let m448: Vec<u8> = (0..14u8)
        .flat_map(|i| (0..4u8).map(move |j| b'a' + i + j))
        .collect();
    let m896: Vec<u8> = (0..14u8)
        .flat_map(|i| (0..8u8).map(move |j| b'a' + i + j))
        .collect();
    let cases = [
        ("FIPS 180-4 abc", abc),
        ("FIPS 180-4 448-bit", m448),
        ("FIPS 180-4 896-bit", m896),
        ("empty message", vec![]),
        ("1000 x a", vec![b'a'; 1000]),
    ];
    for (name, m) in cases {
        let want = sha2::Sha256::digest(&m).to_vec();
        r.check_vs(name, Txn::Hash { key: None, msg: m }, TxnOut::Bytes(want));
    }
}

/// Message lengths around the padding boundaries (SHA-256 and HMAC with a 32-octet key), and
/// every HMAC key length 0..=64 plus 65 and 131 (hashed first).
fn lengths(r: &mut Runner) {
    for len in [
        0, 1, 54, 55, 56, 57, 63, 64, 65, 118, 119, 120, 127, 128, 129, 183, 184,
    ] {
        let mut m = vec![0u8; len];
        r.rng.fill_bytes(&mut m);
        let key = r.ltk(32);
        r.check(
            &format!("sha256 {len} octets"),
            Txn::Hash {
                key: None,
                msg: m.clone(),
            },
            0.0,
            false,
        );
        r.check(
            &format!("hmac {len} octets"),
            Txn::Hash {
                key: Some(key),
                msg: m,
            },
            0.0,
            false,
        );
    }
    for klen in (0..=64).chain([65, 131]) {
        let key = r.ltk(klen);
        let mut m = vec![0u8; 20];
        r.rng.fill_bytes(&mut m);
        r.check(
            &format!("hmac key {klen} octets"),
            Txn::Hash {
                key: Some(key),
                msg: m,
            },
            0.0,
            false,
        );
    }
}

/// DERIVE with 16- and 32-octet long-term keys (random, all-zero and all-one), each checked by
/// its effect.
fn derive_directed(r: &mut Runner) {
    for len in [16usize, 32] {
        for fill in [None, Some(0u8), Some(0xff)] {
            let ltk = match fill {
                None => r.ltk(len),
                Some(b) => vec![b; len],
            };
            let txn = derive_txn(r, ltk, 300);
            r.check(&format!("derive K_AIoT {len} octets"), txn, 0.0, false);
        }
    }
}

/// A DERIVE over a region one octet shorter than the nonces need: BAD_LEN, and the key ring as
/// it was (NEA2 under the keys loaded before still equals the model's).
fn derive_short_region(r: &mut Runner) {
    let keys = r.keys();
    let (inputs, data) = (r.inputs(), r.data(200));
    let before = Txn::Nea2 {
        keys,
        inputs,
        data: data.clone(),
        bits: 200,
    };
    r.check("keys before a refused DERIVE", before, 0.0, false);
    let span = crate::engine::rtl::derive_span();
    if let Ok(k) = crate::keys::LongTermKey::from_slice(&[7; 16]) {
        let _ = r.rtl.set_key_store(&k);
    }
    let ns = SecurityInputs {
        count: 0,
        bearer: 0,
        direction: 0,
    };
    let st = r.rtl.command(Op::Derive, 0, 0, ns, 0, span - 1);
    r.expect(
        "DERIVE with a short region answers BAD_LEN",
        matches!(&st, Ok(x) if x.status == status::BAD_LEN),
        || format!("{st:?}"),
    );
    let rtl = r.rtl.nea2(inputs, &data, 200);
    let model = crate::algorithms::nea2(&crate::keys::Key128::new(keys.0), inputs, &data, 200);
    r.expect(
        "key ring unchanged by a refused DERIVE",
        matches!((&rtl, &model), (Ok(a), Ok(b)) if a == b),
        || format!("RTL {rtl:?} vs model {model:?}"),
    );
}

/// After a DERIVE and its use, ZEROIZE leaves no secret bit in the engine (the KDF unit's rings
/// included) and keyed operations are refused.
fn zeroize_after_derive(r: &mut Runner) {
    let ltk = r.ltk(32);
    let txn = derive_txn(r, ltk, 128);
    r.check("derive before ZEROIZE", txn, 0.0, false);
    let z = r.rtl.zeroize();
    let _ = r.model.zeroize();
    let bits = r.rtl.engine_secret_bits_set();
    r.expect("ZEROIZE after DERIVE answered OK", z.is_ok(), || {
        format!("{z:?}")
    });
    r.expect("no secret bit after DERIVE and ZEROIZE", bits == 0, || {
        format!("{bits} secret bits set")
    });
    let i = r.inputs();
    let e = r.rtl.nia2(i, &[0; 4], 32);
    r.expect(
        "NIA2 refused after ZEROIZE",
        matches!(e, Err(crate::engine::EngineError::NoKeys)),
        || format!("{e:?}"),
    );
}

/// A DERIVE transaction: key store `ltk`, random nonces, then NEA2 / NIA2 of `bits` random bits
/// and PROTECT of a random response.
fn derive_txn(r: &mut Runner, ltk: Vec<u8>, bits: usize) -> Txn {
    let k = &r.profile.kaiotf;
    let (na, nd) = (k.n_aiotf_len, k.n_dev_len);
    let mut n_aiotf = vec![0u8; na];
    let mut n_dev = vec![0u8; nd];
    r.rng.fill_bytes(&mut n_aiotf);
    r.rng.fill_bytes(&mut n_dev);
    let (inputs, data) = (r.inputs(), r.data(bits));
    let body = r.rng.gen_range(0..=40);
    let cipher = r.rng.gen_bool(0.5);
    let frame = r.response_frame(body, cipher);
    Txn::Derive {
        ltk,
        n_aiotf,
        n_dev,
        inputs,
        data,
        bits,
        frame,
    }
}

/// A random KDF: key of 1..=64 octets (mostly 16 or 32), random FC, 0..=5 parameters of 0..=60
/// octets (S of up to about 300 octets: up to five blocks).
fn random_kdf(r: &mut Runner) -> Txn {
    let klen = match r.rng.gen_range(0..4) {
        0 => 16,
        1 => 32,
        _ => r.rng.gen_range(1..=64),
    };
    let key = r.ltk(klen);
    let fc = r.rng.r#gen::<u8>();
    let np = r.rng.gen_range(0..=5);
    let params: Vec<Vec<u8>> = (0..np)
        .map(|_| {
            let n = r.rng.gen_range(0..=60);
            let mut p = vec![0u8; n];
            r.rng.fill_bytes(&mut p);
            p
        })
        .collect();
    let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
    let msg = crate::kdf::kdf_input(fc, &refs).unwrap_or_default();
    Txn::Hash {
        key: Some(key),
        msg,
    }
}

/// A random DERIVE (16- or 32-octet key store) with a random use.
fn random_derive(r: &mut Runner) -> Txn {
    let len = if r.rng.gen_bool(0.5) { 16 } else { 32 };
    let ltk = r.ltk(len);
    let bits = r.rng.gen_range(0..=600);
    derive_txn(r, ltk, bits)
}
