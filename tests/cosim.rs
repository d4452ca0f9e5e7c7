//! Co-simulation regression (feature `rtl`): the RTL engine against the golden model, and the
//! proof that the co-simulation can fail: the deliberately faulty builds must be caught.
#![cfg(feature = "rtl")]

use aiotsec::cosim::{CosimOptions, run};
use aiotsec::engine::CryptoEngine;
use aiotsec::engine::rtl::RtlEngine;
use aiotsec::keys::Key128;
use aiotsec::profile::Profile;

fn opts(fault: u8, count: usize) -> CosimOptions {
    CosimOptions {
        seed: 0x00c0_ffee,
        count,
        stall_prob: 0.25,
        vcd: None,
        fault,
        progress: false,
    }
}

#[test]
fn rtl_matches_model() {
    let rep = run(&opts(0, 3000)).expect("cosim runs");
    println!("{rep}");
    assert_eq!(rep.mismatches(), 0, "{rep}");
    assert!(rep.checks() > 3000);
}

#[test]
fn faulty_k2_build_is_caught() {
    let rep = run(&opts(1, 300)).expect("cosim runs");
    assert!(rep.mismatches() > 0, "FAULT=1 went unnoticed:\n{rep}");
    assert!(
        rep.levels
            .iter()
            .any(|l| l.level == "nia2" && l.mismatches > 0)
    );
}

#[test]
fn faulty_sbox_build_is_caught() {
    let rep = run(&opts(2, 300)).expect("cosim runs");
    assert!(rep.mismatches() > 0, "FAULT=2 went unnoticed:\n{rep}");
}

#[test]
fn rtl_engine_refuses_another_profile() {
    let p = Profile::from_override_str("[request]\ncount = 5\n").unwrap();
    assert!(matches!(
        RtlEngine::new(&p),
        Err(aiotsec::engine::EngineError::Unavailable(_))
    ));
}

#[test]
fn zeroize_clears_every_secret_register() {
    let mut e = RtlEngine::new(&Profile::default()).unwrap();
    assert!(!e.secret_registers().is_empty());
    e.load_keys(&Key128::new([0xff; 16]), &Key128::new([0xff; 16]))
        .unwrap();
    assert!(e.engine_secret_bits_set() > 0);
    e.nia2(Profile::default().request, &[0xff; 40], 320)
        .unwrap();
    e.zeroize().unwrap();
    assert_eq!(e.engine_secret_bits_set(), 0);
}
