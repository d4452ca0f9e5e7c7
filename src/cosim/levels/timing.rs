//! The stall-free timing of representative operations (no checks: the figures of the report).

use super::super::report::Timing;
use super::super::runner::Runner;
use super::super::txn::KeyPair;
use crate::engine::CryptoEngine;
use crate::engine::rtl::RtlEngine;
use crate::keys::Key128;

/// Measure and store the timing in the report (directed shard only).
pub(super) fn run(r: &mut Runner) {
    let _ = r.rtl.set_stall_prob(0.0);
    r.rtl.set_random_placement(false);
    let mut t = Timing {
        max_message_len: r.profile.layout.max_message_len,
        ..Timing::default()
    };
    let keys = r.keys();
    algorithms(r, &keys, &mut t);
    messages(r, &keys, &mut t);
    r.report.timing = t;
}

fn cycles(e: &RtlEngine) -> u64 {
    e.last_cycles().unwrap_or(0)
}

/// One AES block, NEA2 and NIA2 over 1024 bits.
fn algorithms(r: &mut Runner, keys: &KeyPair, t: &mut Timing) {
    let (enc, int) = (Key128::new(keys.0), Key128::new(keys.1));
    let request = r.profile.request;
    let e = &mut r.rtl;
    if e.aes_block(&enc, &[0; 16]).is_ok() {
        t.aes_block = cycles(e);
    }
    let _ = e.load_keys(&enc, &int);
    let data = vec![0x5a; 128];
    if e.nea2(request, &data, 1024).is_ok() {
        t.nea2_1024 = cycles(e);
        t.nea2_per_block = t.nea2_1024 as f64 / 8.0;
    }
    if e.nia2(request, &data, 1024).is_ok() {
        t.nia2_1024 = cycles(e);
        t.nia2_per_block = t.nia2_1024 as f64 / 10.0;
    }
}

/// UNPROTECT and PROTECT of a 64-octet message, UNPROTECT of a maximum-length one (ciphered).
fn messages(r: &mut Runner, keys: &KeyPair, t: &mut Timing) {
    let min = r.profile.layout.min_message_len();
    let mut g = r.request_frame(keys, 64 - min, true);
    if r.rtl.unprotect(&mut g).is_ok() {
        t.unprotect_64 = cycles(&r.rtl);
    }
    let mut g = r.response_frame(64 - min, true);
    if r.rtl.protect(&mut g).is_ok() {
        t.protect_64 = cycles(&r.rtl);
    }
    let body = r.profile.layout.max_message_len - min;
    let mut g = r.request_frame(keys, body, true);
    if r.rtl.unprotect(&mut g).is_ok() {
        t.unprotect_max = cycles(&r.rtl);
    }
}
