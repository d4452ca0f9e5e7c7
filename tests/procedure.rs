//! The procedure end to end on the model, and the attacks it must reject.

use aiotsec::engine::model::ModelEngine;
use aiotsec::error::Error;
use aiotsec::messages::{Command, ResponseStatus};
use aiotsec::procedure::{self, Attack, Config};
use aiotsec::profile::Profile;
use aiotsec::roles::{Aiotf, AiotfState, Device, DeviceState, NgRan, R2dFrame};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn cfg(cipher: bool, command: Command, attack: Option<Attack>) -> Config {
    let mut c = Config::demo();
    c.cipher = cipher;
    c.command = command;
    c.attack = attack;
    c.seed = Some(7);
    c
}

fn run(c: &Config) -> procedure::Trace {
    let p = Profile::default();
    let mut e = ModelEngine::new(p.clone());
    procedure::run(&p, c, &mut e).unwrap()
}

#[test]
fn read_write_disable_both_cipher_modes() {
    for cipher in [true, false] {
        let t = run(&cfg(
            cipher,
            Command::Read {
                offset: 4,
                length: 8,
            },
            None,
        ));
        assert!(t.success, "{}", t.verdict);
        assert_eq!(t.response_status, Some(ResponseStatus::Success));
        assert_eq!(t.response_data, Config::demo().memory[4..12].to_vec());
        let steps: Vec<u8> = t.steps.iter().map(|s| s.step).collect();
        for n in 1..=9 {
            assert!(steps.contains(&n), "step {n} missing from the trace");
        }
        let t = run(&cfg(
            cipher,
            Command::Write {
                offset: 0,
                data: vec![1, 2, 3],
            },
            None,
        ));
        assert!(t.success);
        assert_eq!(t.response_status, Some(ResponseStatus::Success));
        let t = run(&cfg(cipher, Command::Disable, None));
        assert!(t.success);
        let t = run(&cfg(
            cipher,
            Command::Read {
                offset: 120,
                length: 9,
            },
            None,
        ));
        assert_eq!(t.response_status, Some(ResponseStatus::OutOfRange));
    }
}

#[test]
fn every_attack_is_rejected() {
    for attack in Attack::ALL {
        for cipher in [true, false] {
            for seed in 0..8 {
                let mut c = cfg(
                    cipher,
                    Command::Write {
                        offset: 2,
                        data: vec![0xEE; 4],
                    },
                    Some(attack),
                );
                c.seed = Some(seed);
                let t = run(&c);
                assert!(
                    t.success,
                    "{attack:?} cipher={cipher} seed={seed}: {}",
                    t.verdict
                );
            }
        }
    }
}

/// A device and an AIOTF set up for one round, by hand.
fn round(p: &Profile, cipher: bool, cmd: Command) -> (Device, Aiotf, R2dFrame, ModelEngine) {
    let mut rng = StdRng::seed_from_u64(1);
    let mut dev = Device::new(p.clone(), procedure::demo_key(), vec![0x55; 32]);
    let mut a = Aiotf::new(p.clone(), procedure::demo_key());
    let inv = dev.inventory(&mut rng);
    let (r2d, _) = a.start(&inv.payload, cmd, cipher, &mut rng).unwrap();
    (dev, a, r2d, ModelEngine::new(p.clone()))
}

#[test]
fn every_bit_flip_of_the_request_is_discarded_without_touching_memory() {
    let p = Profile::default();
    let cmd = Command::Write {
        offset: 0,
        data: vec![0xAA; 8],
    };
    let (_, _, r2d, _) = round(&p, true, cmd.clone());
    for bit in 0..r2d.nas.len() * 8 {
        let (mut dev, _, mut f, mut e) = round(&p, true, cmd.clone());
        f.nas[bit / 8] ^= 0x80 >> (bit % 8);
        let r = dev.handle_r2d(&f, &mut e);
        assert!(r.is_err(), "bit {bit} accepted");
        assert_eq!(dev.memory(), &[0x55; 32][..], "bit {bit} changed memory");
    }
}

#[test]
fn downgrade_fails_integrity_and_replay_is_refused() {
    let p = Profile::default();
    let (mut dev, mut a, r2d, mut e) = round(
        &p,
        true,
        Command::Read {
            offset: 0,
            length: 4,
        },
    );
    let mut down = r2d.clone();
    down.nas[p.layout.indication_offset] = p.layout.indication_null;
    assert!(matches!(
        dev.handle_r2d(&down, &mut e),
        Err(Error::Integrity(_))
    ));
    let mut ran = NgRan::default();
    let f = ran.relay_r2d(r2d.clone());
    let (d2r, _) = dev.handle_r2d(&f, &mut e).unwrap();
    let rsp = a.handle_d2r(&ran.relay_d2r(d2r.clone())).unwrap();
    assert_eq!(rsp.data, vec![0x55; 4]);
    // one command per KAIOTF
    assert!(matches!(
        dev.handle_r2d(&r2d, &mut e),
        Err(Error::Replay(_))
    ));
    // the AIOTF's round is over too
    assert!(a.handle_d2r(&d2r).is_err());
}

#[test]
fn truncated_and_foreign_key_requests_are_rejected() {
    let p = Profile::default();
    let (mut dev, _, mut r2d, mut e) = round(&p, true, Command::Disable);
    r2d.nas.truncate(r2d.nas.len() - 1);
    assert!(dev.handle_r2d(&r2d, &mut e).is_err());
    assert!(!dev.is_disabled());
    // A request under another device's key.
    let mut rng = StdRng::seed_from_u64(2);
    let other = aiotsec::keys::LongTermKey::from_slice(&[0x42; 16]).unwrap();
    let mut dev2 = Device::new(p.clone(), procedure::demo_key(), vec![0; 8]);
    let mut a2 = Aiotf::new(p.clone(), other);
    let inv = dev2.inventory(&mut rng);
    let (f, _) = a2
        .start(&inv.payload, Command::Disable, true, &mut rng)
        .unwrap();
    assert!(matches!(
        dev2.handle_r2d(&f, &mut e),
        Err(Error::Integrity(_))
    ));
    assert!(!dev2.is_disabled());
}

#[test]
fn forged_responses_are_rejected_by_the_aiotf() {
    let p = Profile::default();
    let (mut dev, mut a, r2d, mut e) = round(
        &p,
        false,
        Command::Read {
            offset: 0,
            length: 4,
        },
    );
    let (mut d2r, _) = dev.handle_r2d(&r2d, &mut e).unwrap();
    d2r.payload[7] ^= 1;
    assert!(matches!(a.handle_d2r(&d2r), Err(Error::Integrity(_))));
    // the request itself reflected to the AIOTF as a response
    let reflected = aiotsec::roles::D2rFrame {
        payload: r2d.nas.clone(),
    };
    assert!(a.handle_d2r(&reflected).is_err());
}

#[test]
fn the_aiotf_runs_a_new_round_after_one_ends_or_is_aborted() {
    let p = Profile::default();
    let (mut dev, mut a, r2d, mut e) = round(
        &p,
        true,
        Command::Read {
            offset: 0,
            length: 2,
        },
    );
    let mut rng = StdRng::seed_from_u64(3);
    // a second round while one runs is refused
    assert!(a.start(&[0; 8], Command::Disable, true, &mut rng).is_err());
    let (d2r, _) = dev.handle_r2d(&r2d, &mut e).unwrap();
    a.handle_d2r(&d2r).unwrap();
    // after the round: a new one starts
    let inv = dev.inventory(&mut rng);
    assert!(
        a.start(&inv.payload, Command::Disable, true, &mut rng)
            .is_ok()
    );
    a.abort();
    assert!(a.handle_d2r(&d2r).is_err(), "no round after abort");
    // a second round on the aborted round's N_DEV is refused (its request may still be
    // delivered); a new inventory gives a new N_DEV and a new round
    assert!(matches!(
        a.start(&inv.payload, Command::Disable, true, &mut rng),
        Err(Error::Replay(_))
    ));
    let inv = dev.inventory(&mut rng);
    assert!(
        a.start(&inv.payload, Command::Disable, true, &mut rng)
            .is_ok()
    );
}

#[test]
fn failed_integrity_checks_end_the_key_agreement_at_the_limit() {
    for limit in [1u32, 3, 5] {
        let p =
            Profile::from_override_str(&format!("[limits]\nmax_integrity_failures = {limit}\n"))
                .unwrap();
        let (mut dev, mut a, r2d, mut e) = round(&p, true, Command::Disable);
        let mut forged = r2d.clone();
        forged.nas[3] ^= 0x01; // a MAC octet
        for i in 1..=limit {
            assert!(
                matches!(dev.state(), DeviceState::AwaitingCommand { .. }),
                "{i}"
            );
            assert!(matches!(
                dev.handle_r2d(&forged, &mut e),
                Err(Error::Integrity(_))
            ));
        }
        // exactly at the limit the N_DEV is gone: even the real request is refused now
        assert_eq!(dev.state(), &DeviceState::Idle);
        assert!(matches!(
            dev.handle_r2d(&r2d, &mut e),
            Err(Error::Replay(_))
        ));
        assert!(!dev.is_disabled());
        // the AIOTF: forged responses until it aborts at the limit
        let mut bad = aiotsec::roles::D2rFrame {
            payload: aiotsec::messages::lay_out(&p, &[0x02, 0, 0, 0], true),
        };
        bad.payload[2] = 0x5a;
        for i in 1..=limit {
            assert!(
                matches!(a.state(), AiotfState::AwaitingResponse { .. }),
                "{i}"
            );
            assert!(matches!(a.handle_d2r(&bad), Err(Error::Integrity(_))));
        }
        assert!(matches!(a.state(), AiotfState::Idle));
    }
}

/// An engine without DERIVE: the model with `has_derive` off (everything else forwarded).
struct NoDerive(ModelEngine);

impl aiotsec::engine::CryptoEngine for NoDerive {
    fn name(&self) -> &'static str {
        "model-no-derive"
    }
    fn load_keys(
        &mut self,
        enc: &aiotsec::keys::Key128,
        int: &aiotsec::keys::Key128,
    ) -> Result<(), aiotsec::engine::EngineError> {
        self.0.load_keys(enc, int)
    }
    fn zeroize(&mut self) -> Result<(), aiotsec::engine::EngineError> {
        self.0.zeroize()
    }
    fn aes_block(
        &mut self,
        key: &aiotsec::keys::Key128,
        block: &[u8; 16],
    ) -> Result<[u8; 16], aiotsec::engine::EngineError> {
        self.0.aes_block(key, block)
    }
    fn nea2(
        &mut self,
        i: aiotsec::profile::SecurityInputs,
        d: &[u8],
        b: usize,
    ) -> Result<Vec<u8>, aiotsec::engine::EngineError> {
        self.0.nea2(i, d, b)
    }
    fn nia2(
        &mut self,
        i: aiotsec::profile::SecurityInputs,
        d: &[u8],
        b: usize,
    ) -> Result<[u8; 4], aiotsec::engine::EngineError> {
        self.0.nia2(i, d, b)
    }
    fn unprotect(
        &mut self,
        f: &mut [u8],
    ) -> Result<aiotsec::engine::Outcome, aiotsec::engine::EngineError> {
        self.0.unprotect(f)
    }
    fn protect(
        &mut self,
        f: &mut [u8],
    ) -> Result<aiotsec::engine::Outcome, aiotsec::engine::EngineError> {
        self.0.protect(f)
    }
}

#[test]
fn the_device_derives_in_its_engine_when_the_engine_can() {
    let p = Profile::default();
    let c = cfg(true, Command::Disable, None);
    let with = run(&c);
    let mut e = NoDerive(ModelEngine::new(p.clone()));
    let without = procedure::run(&p, &c, &mut e).unwrap();
    assert!(with.success && without.success);
    let step5 = |t: &procedure::Trace| {
        t.steps
            .iter()
            .filter(|s| s.step == 5)
            .map(|s| s.action.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(step5(&with).contains("engine DERIVE"), "{}", step5(&with));
    assert!(
        step5(&without).contains("in software"),
        "{}",
        step5(&without)
    );
    // Same keys either way: the same protected response.
    assert_eq!(with.response_data, without.response_data);
}
