//! TS 33.369 clause 5.3.2 end to end: steps 1-9 between AIOTF, NG-RAN and Device, with a readable
//! trace, and the attacks the procedure must reject.
//!
//! Steps (provisional rendering of clause 5.3.2):
//! 1. KAIOTF agreement (clause 5.2.2): the device sends a fresh N_DEV at inventory, the AIOTF
//!    picks a fresh N_AIOTF; both derive KAIOTF (Annex A.3).
//! 2. The AIOTF derives KCommand_enc and KCommand_int (Annex A.4).
//! 3. The AIOTF builds the Command Request, ciphers it (128-NEA2, or NEA0) and integrity protects
//!    it (128-NIA2) over the whole message including the ciphering indication.
//! 4. The NG-RAN relays it to the device in an R2D message (with N_AIOTF).
//! 5. The device derives KAIOTF and both keys, verifies the MAC (discarding the message on
//!    failure) and deciphers.
//! 6. The device executes the command on its user memory.
//! 7. The device builds the Command Response and protects it with the same keys.
//! 8. The NG-RAN relays it to the AIOTF in a D2R message.
//! 9. The AIOTF verifies and deciphers the response; the round and its keys end.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde::Serialize;

use crate::engine::CryptoEngine;
use crate::error::Error;
use crate::keys::{CommandKeys, LongTermKey};
use crate::messages::{Command, ResponseStatus};
use crate::profile::Profile;
use crate::roles::{Aiotf, Device, NgRan, R2dFrame};

/// An attack injected at the air interface (between NG-RAN and the device).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// Flip one bit of the protected request (position drawn from the seed).
    FlipBit,
    /// Flip the ciphering indication to the other valid value (downgrade ciphered -> null).
    Downgrade,
    /// Replay the request after the round: to the same device, and into its next round.
    Replay,
    /// Reflect the device's response back to the device as if it were a request.
    Reflect,
    /// Drop the last octet of the protected request.
    Truncate,
    /// Protect the request under another device's long-term key.
    WrongKey,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub cipher: bool,
    pub command: Command,
    pub attack: Option<Attack>,
    /// The device's long-term key K_AIoT (16 or 32 octets).
    pub long_term_key: LongTermKey,
    /// Seed for the nonces and attack positions; `None` draws fresh nonces from the OS.
    pub seed: Option<u64>,
    /// Initial user memory of the device.
    pub memory: Vec<u8>,
    /// Print KAIOTF and the command keys in the trace (on for the demo key; keys given by a user
    /// are hidden unless asked for).
    pub show_keys: bool,
}

impl Config {
    /// A Read of 16 octets at 0, ciphering on, a fixed demo key, no attack.
    pub fn demo() -> Self {
        Self {
            cipher: true,
            command: Command::Read {
                offset: 0,
                length: 16,
            },
            attack: None,
            long_term_key: demo_key(),
            seed: None,
            memory: (0..128u32).map(|i| (i * 7 + 3) as u8).collect(),
            show_keys: true,
        }
    }
}

/// The demo long-term key (000102...1f): a published test value, never a real key.
pub fn demo_key() -> LongTermKey {
    let b: Vec<u8> = (0u8..32).collect();
    match LongTermKey::from_slice(&b) {
        Ok(k) => k,
        Err(_) => unreachable!("32 octets is a valid long-term key length"),
    }
}

/// One line of the trace.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub step: u8,
    pub actor: &'static str,
    pub action: String,
    pub details: Vec<(String, String)>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub backend: String,
    pub cipher: bool,
    pub attack: Option<Attack>,
    pub steps: Vec<Step>,
    /// Normal run: the AIOTF got a valid response. Attack run: the attack was rejected and the
    /// user memory did not change.
    pub success: bool,
    pub verdict: String,
    /// Status the AIOTF received (normal runs).
    pub response_status: Option<ResponseStatus>,
    #[serde(serialize_with = "hex_ser")]
    pub response_data: Vec<u8>,
}

fn hex_ser<S: serde::Serializer>(d: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(d))
}

struct Recorder {
    steps: Vec<Step>,
}

impl Recorder {
    fn add(
        &mut self,
        step: u8,
        actor: &'static str,
        action: impl Into<String>,
        d: &[(&str, String)],
    ) {
        self.steps.push(Step {
            step,
            actor,
            action: action.into(),
            details: d.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        });
    }
}

fn keys_details(k: &CommandKeys, show: bool) -> [(&'static str, String); 2] {
    [
        ("KCommand_enc", shown(k.enc.expose(), show)),
        ("KCommand_int", shown(k.int.expose(), show)),
    ]
}

/// A key's hex, or a placeholder when keys are not to be shown.
fn shown(key: &[u8], show: bool) -> String {
    if show {
        hex::encode(key)
    } else {
        "<hidden: --show-keys>".into()
    }
}

/// Run steps 1-9 (and the attack, if any). The device's crypto runs on `device_engine`.
pub fn run(
    profile: &Profile,
    cfg: &Config,
    device_engine: &mut dyn CryptoEngine,
) -> Result<Trace, Error> {
    let mut rng: Box<dyn RngCore> = match cfg.seed {
        Some(s) => Box::new(StdRng::seed_from_u64(s)),
        None => Box::new(
            StdRng::from_rng(rand::rngs::OsRng)
                .map_err(|e| Error::Protocol(format!("no entropy source for the nonces: {e}")))?,
        ),
    };
    let mut rec = Recorder { steps: vec![] };
    let aiotf_key = match cfg.attack {
        Some(Attack::WrongKey) => {
            let mut other = cfg.long_term_key.expose().to_vec();
            for b in other.iter_mut() {
                *b ^= 0x5a;
            }
            LongTermKey::from_slice(&other)?
        }
        _ => cfg.long_term_key.clone(),
    };
    let mut aiotf = Aiotf::new(profile.clone(), aiotf_key);
    let mut ran = NgRan::default();
    let mut dev = Device::new(
        profile.clone(),
        cfg.long_term_key.clone(),
        cfg.memory.clone(),
    );
    let memory_before = cfg.memory.clone();

    // Step 1: KAIOTF agreement.
    let inv = dev.inventory(&mut *rng);
    let inv = ran.relay_d2r(inv);
    rec.add(
        1,
        "Device",
        "inventory: fresh N_DEV sent",
        &[("N_DEV", hex::encode(&inv.payload))],
    );
    if cfg.attack == Some(Attack::WrongKey) {
        rec.add(
            1,
            "Attacker",
            "AIOTF side uses another device's long-term key",
            &[],
        );
    }
    let (r2d, keys) = aiotf.start(&inv.payload, cfg.command.clone(), cfg.cipher, &mut *rng)?;
    let kaiotf_hex = aiotf
        .kaiotf
        .as_ref()
        .map(|k| shown(k.expose(), cfg.show_keys))
        .unwrap_or_default();
    rec.add(
        1,
        "AIOTF",
        "fresh N_AIOTF; KAIOTF = KDF(K_AIoT, FC, N_AIOTF, N_DEV) (Annex A.3, provisional)",
        &[
            ("N_AIOTF", hex::encode(&r2d.n_aiotf)),
            ("KAIOTF", kaiotf_hex),
        ],
    );
    // Step 2.
    rec.add(
        2,
        "AIOTF",
        "derive KCommand_enc / KCommand_int (Annex A.4, provisional)",
        &keys_details(&keys, cfg.show_keys),
    );
    // Step 3.
    rec.add(
        3,
        "AIOTF",
        format!(
            "Command Request {:?}, {}, 128-NIA2 over the whole message",
            cfg.command,
            if cfg.cipher {
                "ciphered with 128-NEA2"
            } else {
                "null ciphering (NEA0)"
            }
        ),
        &[("protected", hex::encode(&r2d.nas))],
    );
    // Step 4 (with the attacker at the air interface).
    let r2d = ran.relay_r2d(r2d);
    let delivered = tamper_request(profile, cfg.attack, &r2d, &mut *rng, &mut rec);
    rec.add(
        4,
        "NG-RAN",
        "R2D: relay the Command Request to the device",
        &[("R2D nas", hex::encode(&delivered.nas))],
    );

    // Steps 5-7 on the device.
    let dev_result = dev.handle_r2d(&delivered, device_engine);
    let mut trace = Trace {
        backend: device_engine.name().to_string(),
        cipher: cfg.cipher,
        attack: cfg.attack,
        steps: vec![],
        success: false,
        verdict: String::new(),
        response_status: None,
        response_data: vec![],
    };
    let (d2r, executed) = match dev_result {
        Ok(x) => x,
        Err(e) => {
            rec.add(5, "Device", format!("message discarded: {e}"), &[]);
            let unchanged = dev.memory() == memory_before.as_slice() && !dev.is_disabled();
            let attacked = cfg.attack.is_some()
                && cfg.attack != Some(Attack::Replay)
                && cfg.attack != Some(Attack::Reflect);
            trace.success = attacked && unchanged;
            trace.verdict = if trace.success {
                format!("attack rejected by the device ({e}); user memory unchanged")
            } else {
                format!("command round failed: {e}")
            };
            trace.steps = rec.steps;
            return Ok(trace);
        }
    };
    if cfg.attack.is_some() && !matches!(cfg.attack, Some(Attack::Replay) | Some(Attack::Reflect)) {
        rec.add(5, "Device", "ACCEPTED a tampered request", &[]);
        trace.verdict = "attack NOT detected".into();
        trace.steps = rec.steps;
        return Ok(trace);
    }
    rec.add(
        5,
        "Device",
        format!(
            "derived KAIOTF and both keys into its engine, MAC verified, {}",
            if executed.ciphered {
                "deciphered"
            } else {
                "null ciphering"
            }
        ),
        &[],
    );
    rec.add(
        6,
        "Device",
        format!("executed {:?}", executed.request.command),
        &[("status", format!("{:?}", executed.response.status))],
    );
    rec.add(
        7,
        "Device",
        "Command Response protected (same keys, response COUNT/BEARER/DIRECTION)",
        &[("protected", hex::encode(&d2r.payload))],
    );
    let d2r = ran.relay_d2r(d2r);
    rec.add(
        8,
        "NG-RAN",
        "D2R: relay the Command Response to the AIOTF",
        &[],
    );
    let rsp = aiotf.handle_d2r(&d2r);
    match &rsp {
        Ok(r) => rec.add(
            9,
            "AIOTF",
            "response MAC verified and deciphered; round closed",
            &[
                ("status", format!("{:?}", r.status)),
                ("data", hex::encode(&r.data)),
            ],
        ),
        Err(e) => rec.add(9, "AIOTF", format!("response rejected: {e}"), &[]),
    }
    let normal_ok = rsp.is_ok();
    if let Ok(r) = &rsp {
        trace.response_status = Some(r.status);
        trace.response_data = r.data.clone();
    }

    trace.success = normal_ok;
    trace.verdict = if normal_ok {
        "command round completed".into()
    } else {
        "response rejected".into()
    };

    // Post-round attacks.
    match cfg.attack {
        Some(Attack::Replay) => {
            let memory_after = dev.memory().to_vec();
            let again = dev.handle_r2d(&r2d, device_engine);
            rec.add(
                4,
                "Attacker",
                "replays the recorded R2D to the same device",
                &[],
            );
            let same_round = again.is_err();
            rec.add(
                5,
                "Device",
                match &again {
                    Err(e) => format!("discarded: {e}"),
                    Ok(_) => "ACCEPTED the replay".into(),
                },
                &[],
            );
            // Into the next round: the device has a new N_DEV, so the old request fails the MAC.
            let _ = dev.inventory(&mut *rng);
            let next = dev.handle_r2d(&r2d, device_engine);
            rec.add(
                4,
                "Attacker",
                "replays it again after the device's next inventory (new N_DEV)",
                &[],
            );
            let next_round = next.is_err();
            rec.add(
                5,
                "Device",
                match &next {
                    Err(e) => format!("discarded: {e}"),
                    Ok(_) => "ACCEPTED the replay".into(),
                },
                &[],
            );
            trace.success =
                normal_ok && same_round && next_round && dev.memory() == memory_after.as_slice();
            trace.verdict = if trace.success {
                "replay rejected in the same round and in the next; memory unchanged by it".into()
            } else {
                "replay NOT rejected".into()
            };
        }
        Some(Attack::Reflect) => {
            let memory_after = dev.memory().to_vec();
            let reflected = R2dFrame {
                n_aiotf: r2d.n_aiotf.clone(),
                nas: d2r.payload.clone(),
            };
            let r1 = dev.handle_r2d(&reflected, device_engine);
            rec.add(
                4,
                "Attacker",
                "reflects the device's response back to it",
                &[],
            );
            rec.add(
                5,
                "Device",
                match &r1 {
                    Err(e) => format!("discarded: {e}"),
                    Ok(_) => "ACCEPTED".into(),
                },
                &[],
            );
            // A twin of the device still waiting under the same KAIOTF: only the direction
            // separation (request vs response COUNT/BEARER/DIRECTION) stands between it and
            // the reflected message.
            let mut twin = Device::new(
                profile.clone(),
                cfg.long_term_key.clone(),
                memory_after.clone(),
            );
            let n_dev = inv.payload.clone();
            let mut fixed = FixedRng(n_dev);
            let _ = twin.inventory(&mut fixed);
            let r2 = twin.handle_r2d(&reflected, device_engine);
            rec.add(
                5,
                "Device (same KAIOTF, still waiting)",
                match &r2 {
                    Err(e) => format!("discarded: {e}"),
                    Ok(_) => "ACCEPTED".into(),
                },
                &[],
            );
            let integrity = matches!(r2, Err(Error::Integrity(_)));
            trace.success =
                normal_ok && r1.is_err() && integrity && twin.memory() == memory_after.as_slice();
            trace.verdict = if trace.success {
                "reflected response rejected (integrity: the response direction differs)".into()
            } else {
                "reflection NOT rejected".into()
            };
        }
        _ => {}
    }
    trace.steps = rec.steps;
    Ok(trace)
}

/// An RNG that hands out given bytes (to recreate a device waiting on a known N_DEV).
struct FixedRng(Vec<u8>);

impl RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (i, d) in dest.iter_mut().enumerate() {
            *d = self.0.get(i).copied().unwrap_or(0);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

fn tamper_request(
    profile: &Profile,
    attack: Option<Attack>,
    f: &R2dFrame,
    rng: &mut dyn RngCore,
    rec: &mut Recorder,
) -> R2dFrame {
    let mut out = f.clone();
    let l = &profile.layout;
    match attack {
        Some(Attack::FlipBit) => {
            let nbits = out.nas.len() * 8;
            let bit = (rng.next_u64() % nbits as u64) as usize;
            out.nas[bit / 8] ^= 0x80 >> (bit % 8);
            rec.add(
                4,
                "Attacker",
                format!("flips bit {bit} of the protected request"),
                &[],
            );
        }
        Some(Attack::Downgrade) => {
            let v = &mut out.nas[l.indication_offset];
            *v = if *v == l.indication_ciphered {
                l.indication_null
            } else {
                l.indication_ciphered
            };
            rec.add(
                4,
                "Attacker",
                "flips the ciphering indication",
                &[("indication", format!("0x{:02x}", *v))],
            );
        }
        Some(Attack::Truncate) => {
            out.nas.pop();
            rec.add(4, "Attacker", "drops the last octet of the request", &[]);
        }
        _ => {}
    }
    out
}
