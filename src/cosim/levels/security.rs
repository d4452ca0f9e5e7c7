//! Level `security`: no secret bit left in the engine after ZEROIZE, reset or the `zeroize` input
//! (in states the command interface cannot leave), every keyed operation refused afterwards (the
//! buffer unchanged), and the frame buffer the engine's while it holds `mem_own` (a second bus
//! master refused; not refused, it changes UNPROTECT's outcome).

use std::fmt::Debug;

use super::super::runner::Runner;
use super::super::txn::Txn;
use crate::engine::rtl::{Hang, Op, OtherMaster, SCRUB_CYCLES};
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
    zeroize_input_when_hung(r);
    second_master_during_unprotect(r);
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

/// The `zeroize` input clears the engine from states the command interface cannot leave (a
/// LOAD_KEYS whose octets stop, a memory that never acknowledges, a response never taken): no
/// response, the buffer the engine's until the scrub ends, no secret bit afterwards, NO_KEYS.
fn zeroize_input_when_hung(r: &mut Runner) {
    let cases = [
        (
            "LOAD_KEYS after 10 of 32 octets",
            Op::LoadKeys,
            Hang::CommandOctets(10),
        ),
        (
            "UNPROTECT, memory never acknowledging",
            Op::Unprotect,
            Hang::Memory,
        ),
        ("PROTECT, response never taken", Op::Protect, Hang::Response),
    ];
    for (what, op, hang) in cases {
        let keys = r.keys();
        let _ = r.rtl.load_keys(&Key128::new(keys.0), &Key128::new(keys.1));
        let f = r.response_frame(12, true);
        let placed = r.rtl.host_write(0, &f);
        r.expect(
            &format!("{what}: frame placed while idle"),
            placed.is_ok(),
            || format!("{placed:?}"),
        );
        let (enc, int) = (u128::from_be_bytes(keys.0), u128::from_be_bytes(keys.1));
        let inputs = r.inputs();
        let h = r.rtl.hang(op, enc, int, inputs, 0, f.len(), hang, 300);
        r.expect(
            &format!("{what}: the engine waits, owning the buffer"),
            matches!(h, Ok(s) if !s.cmd_ready && s.mem_own),
            || format!("{h:?}"),
        );
        let w = r.rtl.host_write(0, &[0]);
        r.expect(
            &format!("{what}: host write refused while the engine owns the buffer"),
            matches!(w, Err(EngineError::Busy)),
            || format!("{w:?}"),
        );
        if hang == Hang::Response {
            // through CryptoEngine::zeroize, which takes the input when the engine is not idle
            let z = r.rtl.zeroize();
            r.expect(
                &format!("{what}: CryptoEngine::zeroize clears the hung engine"),
                z.is_ok(),
                || format!("{z:?}"),
            );
        } else {
            let z = r.rtl.zeroize_input();
            r.expect(
                &format!(
                    "{what}: zeroize input: ready after the {SCRUB_CYCLES}-cycle scrub, quiet"
                ),
                matches!(z, Ok(rep) if rep.ready_after == SCRUB_CYCLES && rep.active_cycles == 0
                    && rep.unowned_cycles == 0),
                || format!("{z:?}"),
            );
        }
        let bits = r.rtl.engine_secret_bits_set();
        expect_no_secret_bit(r, bits, &format!("the zeroize input ({what})"));
        let mut g = r.response_frame(10, true);
        let e = r.rtl.protect(&mut g);
        expect_no_keys(r, &format!("protect after the zeroize input ({what})"), &e);
    }
    let _ = r.model.zeroize();
}

/// A second bus master writing anywhere in the frame buffer in every cycle of LOAD_KEYS and
/// UNPROTECT: this backend refuses it while the engine holds `mem_own`, and the request is
/// verified and deciphered exactly as by the model. With the refusal off, the same master
/// changes the outcome (what the rule prevents: UNPROTECT reads the ciphered part twice).
fn second_master_during_unprotect(r: &mut Runner) {
    let keys = r.keys();
    let f = r.request_frame(&keys, 40, true);
    let (ke, ki) = (Key128::new(keys.0), Key128::new(keys.1));
    let mut want = f.clone();
    let _ = r.model.load_keys(&ke, &ki);
    let m = r.model.unprotect(&mut want);
    let cap = r.rtl.buffer().len();
    for honour in [true, false] {
        r.rtl.set_other_master(Some(OtherMaster {
            honour_own: honour,
            ..OtherMaster::new(0, cap)
        }));
        let _ = r.rtl.load_keys(&ke, &ki);
        let mut g = f.clone();
        let got = r.rtl.unprotect(&mut g);
        let om = r.rtl.other_master().copied();
        r.rtl.set_other_master(None);
        let same = matches!((&got, &m), (Ok(a), Ok(b)) if a == b) && g == want;
        if honour {
            r.expect(
                "second master held to mem_own: every write refused, result as the model's",
                same && matches!(om, Some(o) if o.writes == 0 && o.refused > 1000),
                || format!("rtl {got:?} vs model {m:?}, master {om:?}"),
            );
        } else {
            r.expect(
                "second master not held to mem_own: the outcome changes",
                !same && matches!(om, Some(o) if o.writes > 1000),
                || format!("rtl {got:?} vs model {m:?}, master {om:?}"),
            );
        }
    }
    let _ = r.rtl.zeroize();
    let _ = r.model.zeroize();
}
