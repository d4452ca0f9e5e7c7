//! Level `security`: no secret bit left in the engine after ZEROIZE or reset, and every keyed
//! operation refused afterwards (the buffer unchanged).

use std::fmt::Debug;

use super::super::runner::Runner;
use super::super::txn::Txn;
use crate::engine::{CryptoEngine, EngineError};
use crate::keys::Key128;

/// The level (directed shard only).
pub(super) fn run(r: &mut Runner) {
    r.begin("security");
    after_zeroize(r);
    after_reset(r);
    for _ in 0..4 {
        zeroize_after_work(r);
    }
    r.end();
}

/// A check that `bits` secret bits are left after `event` is 0.
fn expect_no_secret_bit(r: &mut Runner, bits: u32, event: &str) {
    r.expect(&format!("no secret bit after {event}"), bits == 0, || {
        format!("{bits} secret bits set after {event}")
    });
}

/// A check that the engine refused the operation for want of keys.
fn expect_no_keys<T: Debug>(r: &mut Runner, case: &str, result: &Result<T, EngineError>) {
    r.expect(case, matches!(result, Err(EngineError::NoKeys)), || {
        format!("{result:?}")
    });
}

/// After ZEROIZE: no secret bit, and every keyed op refuses.
fn after_zeroize(r: &mut Runner) {
    let keys = r.keys();
    let f = r.request_frame(&keys, 40, true);
    r.check(
        "load + unprotect",
        Txn::Unprotect {
            keys,
            frame: f.clone(),
        },
        0.0,
        false,
    );
    let z = r.rtl.zeroize();
    let _ = r.model.zeroize();
    let bits = r.rtl.engine_secret_bits_set();
    r.expect("ZEROIZE answered OK", z.is_ok(), || format!("{z:?}"));
    expect_no_secret_bit(r, bits, "ZEROIZE");
    let mut g = f.clone();
    let e1 = r.rtl.unprotect(&mut g);
    r.expect(
        "unprotect after ZEROIZE refuses",
        e1 == Err(EngineError::NoKeys) && g == f,
        || format!("{e1:?}"),
    );
    let e2 = r.rtl.nea2(r.profile.request, &[1, 2, 3], 24);
    expect_no_keys(r, "NEA2 after ZEROIZE refuses", &e2);
    let e3 = r.rtl.nia2(r.profile.request, &[1, 2, 3], 24);
    expect_no_keys(r, "NIA2 after ZEROIZE refuses", &e3);
    let mut g = r.response_frame(10, true);
    let e4 = r.rtl.protect(&mut g);
    expect_no_keys(r, "protect after ZEROIZE refuses", &e4);
}

/// After reset (keys loaded and the AES core used before): ready, no secret bit, NEA2 refuses.
fn after_reset(r: &mut Runner) {
    let keys = r.keys();
    let _ = r.rtl.load_keys(&Key128::new(keys.0), &Key128::new(keys.1));
    let _ = r.rtl.aes_block(&Key128::new(keys.0), &[7; 16]);
    let rr = r.rtl.reset();
    r.expect("ready after reset", rr.is_ok(), || format!("{rr:?}"));
    let bits = r.rtl.secret_bits_set();
    expect_no_secret_bit(r, bits, "reset");
    let e5 = r.rtl.nea2(r.profile.request, &[1, 2, 3], 24);
    expect_no_keys(r, "NEA2 after reset refuses", &e5);
}

/// Keys loaded, zeroize after work of every kind (UNPROTECT, then NIA2, with back-pressure).
fn zeroize_after_work(r: &mut Runner) {
    let stall = r.opts.stall_prob;
    let keys = r.keys();
    let f = r.request_frame(&keys, 33, true);
    r.check(
        "unprotect before ZEROIZE",
        Txn::Unprotect { keys, frame: f },
        stall,
        true,
    );
    let inputs = r.inputs();
    let data = r.data(333);
    r.check(
        "NIA2 before ZEROIZE",
        Txn::Nia2 {
            keys,
            inputs,
            data,
            bits: 333,
        },
        stall,
        true,
    );
    let _ = r.rtl.zeroize();
    let bits = r.rtl.engine_secret_bits_set();
    expect_no_secret_bit(r, bits, "ZEROIZE");
}
