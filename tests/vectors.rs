//! Every official vector, at its exact bit length, against the golden model.

use aiotsec::algorithms::{self, nea2, nia::cmac_bits, nia2, nia2_bitwise};
use aiotsec::kdf::{kdf, kdf_input, truncate128};
use aiotsec::keys::{Key128, Key256};
use aiotsec::vectors;

#[test]
fn nea2_official_sets_encrypt_and_decrypt() {
    let vs = vectors::nea2().expect("nea2.json");
    assert!(vs.iter().filter(|v| v.official).count() >= 6);
    for v in &vs {
        let k = Key128::new(v.key);
        let ct = nea2(&k, v.inputs, &v.plaintext, v.bits).unwrap();
        assert_eq!(ct, v.ciphertext, "{} (encrypt, {} bits)", v.name, v.bits);
        let pt = nea2(&k, v.inputs, &v.ciphertext, v.bits).unwrap();
        assert_eq!(pt, v.plaintext, "{} (decrypt)", v.name);
    }
}

#[test]
fn nia2_official_sets_both_paths() {
    let vs = vectors::nia2().expect("nia2.json");
    assert!(vs.iter().filter(|v| v.official).count() >= 8);
    let mut non_aligned = 0;
    for v in &vs {
        let k = Key128::new(v.key);
        assert_eq!(
            nia2_bitwise(&k, v.inputs, &v.message, v.bits).unwrap(),
            v.mac,
            "{} bit-exact path ({} bits)",
            v.name,
            v.bits
        );
        assert_eq!(
            nia2(&k, v.inputs, &v.message, v.bits).unwrap(),
            v.mac,
            "{} dispatching path",
            v.name
        );
        if v.bits % 8 != 0 {
            non_aligned += 1;
        }
    }
    assert!(
        non_aligned >= 4,
        "the official sets include non-byte-aligned lengths"
    );
}

#[test]
fn nist_ctr_and_rfc4493_cmac() {
    let (ctr, cmac, hmac) = vectors::aes_modes().unwrap();
    for v in &ctr {
        let k = Key128::new(v.key);
        let mut cb = u128::from_be_bytes(v.initial_counter_block);
        for (i, (p, c)) in v
            .plaintext
            .chunks(16)
            .zip(v.ciphertext.chunks(16))
            .enumerate()
        {
            let ks = algorithms::aes_block(&k, &cb.to_be_bytes());
            let got: Vec<u8> = p.iter().zip(ks.iter()).map(|(a, b)| a ^ b).collect();
            assert_eq!(got, c, "{} block {i}", v.name);
            cb = cb.wrapping_add(1);
        }
    }
    for v in &cmac {
        let c = aes::Aes128Enc::new(aes::cipher::generic_array::GenericArray::from_slice(&v.key));
        let t = cmac_bits(&c, &v.message, v.message.len() * 8);
        assert_eq!(t.to_be_bytes(), v.mac, "{}", v.name);
    }
    for v in &hmac {
        let out = kdf_raw_hmac(&v.key, &v.message);
        assert_eq!(out.to_vec(), v.mac, "{}", v.name);
    }
}

/// The KDF's own HMAC-SHA-256 (not the hmac crate: that one is the property tests' oracle).
fn kdf_raw_hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    *aiotsec::kdf::Kdf::new(key).hmac(msg).expose()
}

use aes::cipher::KeyInit;

#[test]
fn ts33220_kdf_known_answers() {
    let vs = vectors::kdf().unwrap();
    assert!(!vs.is_empty());
    for v in &vs {
        if let Some(fc) = v.fc {
            let params: Vec<&[u8]> = v.params.iter().map(|p| p.as_slice()).collect();
            if let Some(s) = &v.s {
                assert_eq!(&kdf_input(fc, &params).unwrap(), s, "{} S", v.name);
            }
            let out = kdf(&v.key, fc, &params).unwrap();
            if v.truncated {
                assert_eq!(
                    truncate128(&out).expose().to_vec(),
                    v.expected,
                    "{}",
                    v.name
                );
            } else {
                assert_eq!(out.expose().to_vec(), v.expected, "{}", v.name);
            }
        } else {
            // truncation example: the key itself is the 256-bit output
            let k = Key256::from_slice(&v.key).unwrap();
            assert_eq!(truncate128(&k).expose().to_vec(), v.expected, "{}", v.name);
        }
    }
}
