//! Level `aes`: the aes128_enc model alone, on FIPS-197, the SP 800-38A CTR blocks, the CMAC
//! examples computed block by block on the RTL, all-zero/all-one keys and blocks, and random
//! key/block pairs.

use super::super::runner::Runner;
use super::super::txn::{Txn, TxnOut, cmac_with};
use super::Randoms;
use crate::keys::Key128;
use crate::vectors::{CmacVector, CtrVector};

/// The level, with the random blocks `n`.
pub(super) fn run(r: &mut Runner, ctr: &[CtrVector], cmac: &[CmacVector], n: Randoms) {
    r.begin("aes");
    if r.directed {
        fips197(r);
        ctr_blocks(r, ctr);
        cmac_on_rtl(r, cmac);
        extremes(r);
    }
    let stall = r.opts.stall_prob;
    for k in r.randoms(n.start, n.n) {
        r.begin_random(k);
        let (key, block) = (r.key(), r.key());
        r.check("random", Txn::Aes { key, block }, stall, true);
    }
    r.end();
}

/// FIPS-197 appendix C.1.
fn fips197(r: &mut Runner) {
    let k: [u8; 16] = core::array::from_fn(|i| i as u8);
    let p: [u8; 16] = core::array::from_fn(|i| (i as u8) * 0x11);
    let c = [
        0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5,
        0x5a,
    ];
    r.check_vs(
        "FIPS-197 C.1",
        Txn::Aes { key: k, block: p },
        TxnOut::Block(c),
    );
}

/// Every whole block of the CTR examples: the counter block encrypts to plaintext ^ ciphertext.
fn ctr_blocks(r: &mut Runner, vectors: &[CtrVector]) {
    for v in vectors {
        let icb = u128::from_be_bytes(v.initial_counter_block);
        for (i, (pt, ct)) in v
            .plaintext
            .chunks(16)
            .zip(v.ciphertext.chunks(16))
            .enumerate()
        {
            let ctr = icb.wrapping_add(i as u128).to_be_bytes();
            let mut ks = [0u8; 16];
            for j in 0..pt.len().min(ct.len()) {
                ks[j] = pt[j] ^ ct[j];
            }
            if pt.len() == 16 {
                r.check_vs(
                    &format!("{} block {i}", v.name),
                    Txn::Aes {
                        key: v.key,
                        block: ctr,
                    },
                    TxnOut::Block(ks),
                );
            }
        }
    }
}

/// The CMAC examples, every block computed by the RTL's AES_BLOCK command.
fn cmac_on_rtl(r: &mut Runner, vectors: &[CmacVector]) {
    for v in vectors {
        let got = cmac_with(&mut r.rtl, &Key128::new(v.key), &v.message);
        let name = v.name.clone();
        r.expect(
            &format!("{name} (CMAC on the RTL AES)"),
            got.as_ref() == Ok(&v.mac),
            || {
                format!(
                    "CMAC over the RTL AES core: {got:?}, vector {}",
                    hex::encode(v.mac)
                )
            },
        );
        r.level.aes_blocks += 1 + v.message.len().div_ceil(16).max(1) as u64;
    }
}

/// All-zero and all-one keys and blocks.
fn extremes(r: &mut Runner) {
    for key in [[0u8; 16], [0xff; 16]] {
        for block in [[0u8; 16], [0xff; 16]] {
            r.check(
                "all-zero/all-one key and block",
                Txn::Aes { key, block },
                0.0,
                false,
            );
        }
    }
}
