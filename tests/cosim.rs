//! Co-simulation regression (feature `rtl`): the RTL engine against the golden model, and the
//! proof that the co-simulation can fail: the deliberately faulty builds must be caught.
#![cfg(feature = "rtl")]

use aiotsec::cosim::{CosimOptions, run};
use aiotsec::engine::CryptoEngine;
use aiotsec::engine::model::ModelEngine;
use aiotsec::engine::rtl::{Op, RtlConfig, RtlEngine, status};
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
        jobs: 1,
        ..CosimOptions::default()
    }
}

/// Per level: (name, checks, mismatches).
fn per_level(rep: &aiotsec::cosim::CosimReport) -> Vec<(String, u64, u64)> {
    rep.levels
        .iter()
        .map(|l| (l.level.clone(), l.checks, l.mismatches))
        .collect()
}

#[test]
fn the_stimulus_does_not_depend_on_jobs_and_shards_partition_it() {
    // a fault build: the mismatches themselves must be the same
    let mut o = opts(1, 400);
    let one = run(&o).expect("cosim runs");
    o.jobs = 2;
    let two = run(&o).expect("cosim runs");
    assert!(one.mismatches() > 0);
    assert_eq!(per_level(&one), per_level(&two));
    // two process shards: every level's checks and mismatches add up to the unsharded run's
    let mut sum: Vec<(String, u64, u64)> = Vec::new();
    for i in 0..2 {
        let mut s = opts(1, 400);
        s.shard = (i, 2);
        for (name, c, m) in per_level(&run(&s).expect("cosim runs")) {
            match sum.iter_mut().find(|x| x.0 == name) {
                Some(x) => {
                    x.1 += c;
                    x.2 += m;
                }
                None => sum.push((name, c, m)),
            }
        }
    }
    assert_eq!(sum, per_level(&one));
    // a failure's id reruns exactly that check, with the same result
    let f = one
        .failures
        .iter()
        .find(|f| f.id.contains(":r"))
        .or(one.failures.first())
        .expect("a failure");
    let mut c = opts(1, 400);
    c.case = Some(f.id.clone());
    let again = run(&c).expect("cosim runs");
    assert_eq!((again.checks(), again.mismatches()), (1, 1), "{}", f.id);
    assert_eq!(again.failures[0].detail, f.detail);
    // the JUnit report: one testcase per level, the failures with their rerun commands
    let x = one.to_junit();
    assert_eq!(x.matches("<testcase ").count(), one.levels.len());
    assert!(x.contains("<failure ") && x.contains("--case "), "{x}");
}

#[test]
fn rtl_matches_model() {
    let rep = run(&opts(0, 3000)).expect("cosim runs");
    println!("{rep}");
    assert_eq!(rep.mismatches(), 0, "{rep}");
    assert!(rep.checks() > 3000);
}

#[test]
fn parallel_shards_merge_into_one_report() {
    let mut o = opts(0, 1000);
    o.jobs = 2;
    let rep = run(&o).expect("cosim runs");
    assert_eq!(rep.mismatches(), 0, "{rep}");
    assert_eq!(rep.jobs, 2);
    let one = run(&opts(0, 1000)).expect("cosim runs");
    // Same directed part, same number of random transactions: the same number of checks.
    assert_eq!(rep.checks(), one.checks(), "{rep}\n{one}");
    let names: Vec<&str> = rep.levels.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(
        names,
        [
            "aes",
            "nea2",
            "nia2",
            "message",
            "kdf",
            "procedure",
            "security"
        ]
    );
    // Every shard's cycles are counted (plus the first shard's stall-free timing runs).
    let levels: u64 = rep.levels.iter().map(|l| l.cycles).sum();
    assert!(
        rep.sim_cycles >= levels && levels > one.sim_cycles / 2,
        "{rep}"
    );
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
fn faulty_sha256_rotation_is_caught_at_the_kdf_level() {
    let mut o = opts(3, 0);
    o.only = Some("kdf".into());
    let rep = run(&o).expect("cosim runs");
    assert!(
        rep.levels
            .iter()
            .any(|l| l.level == "kdf" && l.mismatches > 0),
        "FAULT=3 went unnoticed:\n{rep}"
    );
}

#[test]
fn engine_derive_gives_the_model_keys_and_zeroize_clears_the_kdf_unit() {
    use aiotsec::keys::LongTermKey;
    let p = Profile::default();
    for len in [16usize, 32] {
        let ltk = LongTermKey::from_slice(&vec![0xa5; len]).unwrap();
        let (na, nd) = (
            vec![0x11; p.kaiotf.n_aiotf_len],
            vec![0x22; p.kaiotf.n_dev_len],
        );
        let mut e = RtlEngine::new(&p).unwrap();
        e.set_key_store(&ltk).unwrap();
        e.derive(&na, &nd).unwrap();
        let cycles = e.last_cycles().unwrap();
        assert!(
            cycles <= 40_000,
            "DERIVE took {cycles} cycles (budget 40,000)"
        );
        assert!(e.engine_secret_bits_set() > 0);
        let mut m = ModelEngine::new(p.clone());
        m.set_key_store(&ltk).unwrap();
        m.derive(&na, &nd).unwrap();
        let data = [0x5au8; 40];
        assert_eq!(
            e.nia2(p.request, &data, 320).unwrap(),
            m.nia2(p.request, &data, 320).unwrap()
        );
        assert_eq!(
            e.nea2(p.response, &data, 320).unwrap(),
            m.nea2(p.response, &data, 320).unwrap()
        );
        e.zeroize().unwrap();
        assert_eq!(e.engine_secret_bits_set(), 0);
    }
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

#[test]
fn refused_raw_commands_take_their_octets_and_reset_waits_for_the_scrub() {
    let p = Profile::default();
    let cfg = RtlConfig {
        stall_prob: 0.3,
        seed: 5,
        ..RtlConfig::default()
    };
    let mut e = RtlEngine::with_config(&p, cfg).unwrap();
    // NO_KEYS and BAD_LEN come after the 5 COUNT/BEARER/DIRECTION octets (protocol-checked).
    let r = e.command(Op::Nea2, 0, 0, p.request, 0, 64).unwrap();
    assert_eq!(r.status, status::NO_KEYS);
    let (enc, int) = ([0x3c; 16], [0xc3; 16]);
    let r = e
        .command(
            Op::LoadKeys,
            u128::from_be_bytes(enc),
            u128::from_be_bytes(int),
            p.request,
            0,
            0,
        )
        .unwrap();
    assert_eq!(r.status, status::OK);
    let r = e.command(Op::Nia2, 0, 0, p.request, 4095, 800).unwrap();
    assert_eq!(r.status, status::BAD_LEN);
    assert!(e.violations().is_empty(), "{:?}", e.violations());
    // The engine is idle again and keyed: the next NIA2 agrees with the model.
    let mut m = ModelEngine::new(p.clone());
    m.load_keys(&Key128::new(enc), &Key128::new(int)).unwrap();
    let data = [0xa5; 40];
    assert_eq!(
        e.nia2(p.response, &data, 317).unwrap(),
        m.nia2(p.response, &data, 317).unwrap()
    );
    // Reset returns once the engine has scrubbed itself: nothing secret left, keys gone.
    e.reset().unwrap();
    assert_eq!(e.secret_bits_set(), 0);
    assert_eq!(
        e.nea2(p.request, &[1, 2, 3], 24),
        Err(aiotsec::engine::EngineError::NoKeys)
    );
}
