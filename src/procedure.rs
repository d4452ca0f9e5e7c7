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
use crate::messages::{Command, ResponseStatus, lay_out};
use crate::profile::{MAC_LEN, Profile};
use crate::roles::{
    Aiotf, AiotfState, D2rFrame, Device, DeviceState, Executed, KeySource, NgRan, R2dFrame,
};

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
    /// Forge requests and responses with guessed MACs until the limit of failed integrity
    /// checks ends the key agreement on both sides.
    MacGuess,
    /// Hold the request back until the AIOTF aborts its round, then deliver it.
    DelayedRequest,
}

impl Attack {
    /// Every attack, in the order `--attack` lists them.
    pub const ALL: [Attack; 8] = [
        Attack::FlipBit,
        Attack::Downgrade,
        Attack::Replay,
        Attack::Reflect,
        Attack::Truncate,
        Attack::WrongKey,
        Attack::MacGuess,
        Attack::DelayedRequest,
    ];
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cipher the request (and so the response) with 128-NEA2; off: null ciphering (integrity
    /// only).
    pub cipher: bool,
    /// The command the AIOTF sends to the device.
    pub command: Command,
    /// The attack to inject at the air interface; `None` runs the normal procedure.
    pub attack: Option<Attack>,
    /// The device's long-term key K_AIoT (16 or 32 octets).
    pub long_term_key: LongTermKey,
    /// Seed for the nonces and attack positions; `None` draws a seed from the OS (reported in the
    /// trace).
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
    /// The step of TS 33.369 clause 5.3.2 (1-9) the line belongs to.
    pub step: u8,
    /// Who acts: "AIOTF", "NG-RAN", "Device" or "Attacker".
    pub actor: &'static str,
    /// What happened, in a short sentence.
    pub action: String,
    /// Named values of the step as (name, text) pairs: octets in hex (nonces, protected messages,
    /// keys when shown), statuses by name.
    pub details: Vec<(String, String)>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// The seed of the nonces and attack positions (given, or drawn from the OS): `--seed` repeats
    /// the run.
    pub seed: u64,
    /// The device's crypto engine backend (`CryptoEngine::name`: "model" or "rtl").
    pub backend: String,
    /// Clock cycles of the device's engine over the run (every delivered R2D frame: load keys,
    /// unprotect, protect, zeroize); `None` for the model.
    pub cycles: Option<u64>,
    /// Ciphering was on (as configured).
    pub cipher: bool,
    /// The attack injected, if any.
    pub attack: Option<Attack>,
    /// The trace, in the order things happened.
    pub steps: Vec<Step>,
    /// Normal run: the AIOTF got a valid response. Attack run: the attack was rejected and the
    /// user memory did not change.
    pub success: bool,
    /// One line saying how the run ended (e.g. "command round completed", or which check rejected
    /// the attack).
    pub verdict: String,
    /// Status the AIOTF received (normal runs).
    pub response_status: Option<ResponseStatus>,
    /// Data of the Command Response the AIOTF received (a Read's octets); empty otherwise.
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
    let mut r = Run::new(profile, cfg, device_engine)?;
    match cfg.attack {
        Some(Attack::MacGuess) => r.mac_guess()?,
        Some(Attack::DelayedRequest) => r.delayed_request()?,
        _ => r.round()?,
    }
    Ok(r.finish())
}

/// The state of one run: the actors, the trace so far and the verdict.
struct Run<'a> {
    profile: &'a Profile,
    cfg: &'a Config,
    engine: &'a mut dyn CryptoEngine,
    rng: Box<dyn RngCore>,
    rec: Recorder,
    aiotf: Aiotf,
    ran: NgRan,
    dev: Device,
    memory_before: Vec<u8>,
    trace: Trace,
}

impl<'a> Run<'a> {
    fn new(
        profile: &'a Profile,
        cfg: &'a Config,
        engine: &'a mut dyn CryptoEngine,
    ) -> Result<Self, Error> {
        // A run without a seed draws one from the OS and reports it, so that any run repeats.
        let seed = match cfg.seed {
            Some(s) => s,
            None => {
                let mut b = [0u8; 8];
                rand::rngs::OsRng
                    .try_fill_bytes(&mut b)
                    .map_err(|e| Error::Protocol(format!("no entropy source for the seed: {e}")))?;
                u64::from_le_bytes(b)
            }
        };
        let rng: Box<dyn RngCore> = Box::new(StdRng::seed_from_u64(seed));
        let aiotf_key = match cfg.attack {
            Some(Attack::WrongKey) => {
                let other: Vec<u8> = cfg
                    .long_term_key
                    .expose()
                    .iter()
                    .map(|b| b ^ 0x5a)
                    .collect();
                LongTermKey::from_slice(&other)?
            }
            _ => cfg.long_term_key.clone(),
        };
        let trace = Trace {
            seed,
            backend: engine.name().to_string(),
            cycles: None,
            cipher: cfg.cipher,
            attack: cfg.attack,
            steps: vec![],
            success: false,
            verdict: String::new(),
            response_status: None,
            response_data: vec![],
        };
        Ok(Self {
            profile,
            cfg,
            engine,
            rng,
            rec: Recorder { steps: vec![] },
            aiotf: Aiotf::new(profile.clone(), aiotf_key),
            ran: NgRan::default(),
            dev: Device::new(
                profile.clone(),
                cfg.long_term_key.clone(),
                cfg.memory.clone(),
            ),
            memory_before: cfg.memory.clone(),
            trace,
        })
    }

    fn finish(mut self) -> Trace {
        self.trace.steps = self.rec.steps;
        self.trace
    }

    fn verdict(&mut self, success: bool, ok: impl Into<String>, bad: impl Into<String>) {
        self.trace.success = success;
        self.trace.verdict = if success { ok.into() } else { bad.into() };
    }

    fn memory_unchanged(&self) -> bool {
        self.dev.memory() == self.memory_before.as_slice() && !self.dev.is_disabled()
    }

    /// Step 1: the device's inventory (fresh N_DEV), relayed to the AIOTF.
    fn inventory(&mut self) -> Vec<u8> {
        let inv = self.dev.inventory(&mut *self.rng);
        let inv = self.ran.relay_d2r(inv);
        self.rec.add(
            1,
            "Device",
            "inventory: fresh N_DEV sent",
            &[("N_DEV", hex::encode(&inv.payload))],
        );
        inv.payload
    }

    /// Steps 1 (AIOTF side) to 3: KAIOTF, the command keys and the protected Command Request.
    fn start(&mut self, n_dev: &[u8]) -> Result<R2dFrame, Error> {
        let (cfg, show) = (self.cfg, self.cfg.show_keys);
        let (r2d, keys) =
            self.aiotf
                .start(n_dev, cfg.command.clone(), cfg.cipher, &mut *self.rng)?;
        let kaiotf_hex = self
            .aiotf
            .kaiotf
            .as_ref()
            .map(|k| shown(k.expose(), show))
            .unwrap_or_default();
        self.rec.add(
            1,
            "AIOTF",
            "fresh N_AIOTF; KAIOTF = KDF(K_AIoT, FC, N_AIOTF, N_DEV) (Annex A.3, provisional)",
            &[
                ("N_AIOTF", hex::encode(&r2d.n_aiotf)),
                ("KAIOTF", kaiotf_hex),
            ],
        );
        self.rec.add(
            2,
            "AIOTF",
            "derive KCommand_enc / KCommand_int (Annex A.4, provisional)",
            &keys_details(&keys, show),
        );
        let cipher = match cfg.cipher {
            true => "ciphered with 128-NEA2",
            false => "null ciphering (NEA0)",
        };
        self.rec.add(
            3,
            "AIOTF",
            format!(
                "Command Request {:?}, {cipher}, 128-NIA2 over the whole message",
                cfg.command
            ),
            &[("protected", hex::encode(&r2d.nas))],
        );
        Ok(self.ran.relay_r2d(r2d))
    }

    /// Steps 5-7 on the device for a delivered R2D frame, with a trace line on rejection.
    fn deliver(
        &mut self,
        actor: &'static str,
        f: &R2dFrame,
    ) -> Result<(D2rFrame, Executed), Error> {
        let c0 = self.engine.total_cycles();
        let r = self.dev.handle_r2d(f, &mut *self.engine);
        if let (Some(a), Some(b)) = (c0, self.engine.total_cycles()) {
            self.trace.cycles = Some(self.trace.cycles.unwrap_or(0) + (b - a));
        }
        if let Err(e) = &r {
            self.rec
                .add(5, actor, format!("message discarded: {e}"), &[]);
        }
        r
    }

    /// The normal round, with the in-round attacks (tampering at step 4) and the post-round
    /// ones (replay, reflection).
    fn round(&mut self) -> Result<(), Error> {
        let attack = self.cfg.attack;
        let n_dev = self.inventory();
        if attack == Some(Attack::WrongKey) {
            self.rec.add(
                1,
                "Attacker",
                "AIOTF side uses another device's long-term key",
                &[],
            );
        }
        let r2d = self.start(&n_dev)?;
        let delivered = tamper_request(self.profile, attack, &r2d, &mut *self.rng, &mut self.rec);
        self.rec.add(
            4,
            "NG-RAN",
            "R2D: relay the Command Request to the device",
            &[("R2D nas", hex::encode(&delivered.nas))],
        );
        let tampering =
            attack.is_some() && !matches!(attack, Some(Attack::Replay | Attack::Reflect));
        let (d2r, executed) = match self.deliver("Device", &delivered) {
            Ok(x) => x,
            Err(e) => {
                let ok = tampering && self.memory_unchanged();
                self.verdict(
                    ok,
                    format!("attack rejected by the device ({e}); user memory unchanged"),
                    format!("command round failed: {e}"),
                );
                return Ok(());
            }
        };
        if tampering {
            self.rec
                .add(5, "Device", "ACCEPTED a tampered request", &[]);
            self.trace.verdict = "attack NOT detected".into();
            return Ok(());
        }
        let normal_ok = self.complete(&d2r, &executed);
        match attack {
            Some(Attack::Replay) => self.replay(normal_ok, &r2d),
            Some(Attack::Reflect) => self.reflect(normal_ok, &n_dev, &r2d, &d2r),
            _ => {}
        }
        Ok(())
    }

    /// Steps 5 (success) to 9: trace the device's work, relay the response, verify it at the
    /// AIOTF. Returns whether the AIOTF accepted it.
    fn complete(&mut self, d2r: &D2rFrame, executed: &Executed) -> bool {
        let deciphered = match executed.ciphered {
            true => "deciphered",
            false => "null ciphering",
        };
        let (how, vals) = match executed.keys {
            KeySource::EngineDerive { cycles } => (
                "engine DERIVE: KAIOTF and both keys derived inside the engine from its key store",
                cycles
                    .map(|c| vec![("DERIVE cycles", c.to_string())])
                    .unwrap_or_default(),
            ),
            KeySource::SoftwareLoaded => (
                "derived KAIOTF and both keys in software, loaded into its engine (no DERIVE)",
                vec![],
            ),
        };
        self.rec.add(
            5,
            "Device",
            format!("{how}; MAC verified, {deciphered}"),
            &vals,
        );
        self.rec.add(
            6,
            "Device",
            format!("executed {:?}", executed.request.command),
            &[("status", format!("{:?}", executed.response.status))],
        );
        self.rec.add(
            7,
            "Device",
            "Command Response protected (same keys, response COUNT/BEARER/DIRECTION)",
            &[("protected", hex::encode(&d2r.payload))],
        );
        let d2r = self.ran.relay_d2r(d2r.clone());
        self.rec.add(
            8,
            "NG-RAN",
            "D2R: relay the Command Response to the AIOTF",
            &[],
        );
        let rsp = self.aiotf.handle_d2r(&d2r);
        match &rsp {
            Ok(r) => {
                self.rec.add(
                    9,
                    "AIOTF",
                    "response MAC verified and deciphered; round closed",
                    &[
                        ("status", format!("{:?}", r.status)),
                        ("data", hex::encode(&r.data)),
                    ],
                );
                self.trace.response_status = Some(r.status);
                self.trace.response_data = r.data.clone();
            }
            Err(e) => self
                .rec
                .add(9, "AIOTF", format!("response rejected: {e}"), &[]),
        }
        let ok = rsp.is_ok();
        self.verdict(ok, "command round completed", "response rejected");
        ok
    }

    /// Replay the recorded request to the same device, then into its next round.
    fn replay(&mut self, normal_ok: bool, r2d: &R2dFrame) {
        let memory_after = self.dev.memory().to_vec();
        self.rec.add(
            4,
            "Attacker",
            "replays the recorded R2D to the same device",
            &[],
        );
        let same_round = self.deliver("Device", r2d).is_err();
        if !same_round {
            self.rec.add(5, "Device", "ACCEPTED the replay", &[]);
        }
        // Into the next round: the device has a new N_DEV, so the old request fails the MAC.
        let _ = self.dev.inventory(&mut *self.rng);
        self.rec.add(
            4,
            "Attacker",
            "replays it again after the device's next inventory (new N_DEV)",
            &[],
        );
        let next_round = self.deliver("Device", r2d).is_err();
        if !next_round {
            self.rec.add(5, "Device", "ACCEPTED the replay", &[]);
        }
        let ok = normal_ok && same_round && next_round && self.dev.memory() == memory_after;
        self.verdict(
            ok,
            "replay rejected in the same round and in the next; memory unchanged by it",
            "replay NOT rejected",
        );
    }

    /// Reflect the device's response back to it, and to a twin still waiting under the same
    /// KAIOTF.
    fn reflect(&mut self, normal_ok: bool, n_dev: &[u8], r2d: &R2dFrame, d2r: &D2rFrame) {
        let memory_after = self.dev.memory().to_vec();
        let reflected = R2dFrame {
            n_aiotf: r2d.n_aiotf.clone(),
            nas: d2r.payload.clone(),
        };
        self.rec.add(
            4,
            "Attacker",
            "reflects the device's response back to it",
            &[],
        );
        let r1 = self.deliver("Device", &reflected);
        if r1.is_ok() {
            self.rec.add(5, "Device", "ACCEPTED", &[]);
        }
        // A twin of the device still waiting under the same KAIOTF: only the direction
        // separation (request vs response COUNT/BEARER/DIRECTION) stands between it and the
        // reflected message.
        let mut twin = Device::new(
            self.profile.clone(),
            self.cfg.long_term_key.clone(),
            memory_after.clone(),
        );
        let _ = twin.inventory(&mut FixedRng(n_dev.to_vec()));
        let r2 = twin.handle_r2d(&reflected, &mut *self.engine);
        self.rec.add(
            5,
            "Device (same KAIOTF, still waiting)",
            match &r2 {
                Err(e) => format!("message discarded: {e}"),
                Ok(_) => "ACCEPTED".into(),
            },
            &[],
        );
        let integrity = matches!(r2, Err(Error::Integrity(_)));
        let ok = normal_ok && r1.is_err() && integrity && twin.memory() == memory_after;
        self.verdict(
            ok,
            "reflected response rejected (integrity: the response direction differs)",
            "reflection NOT rejected",
        );
    }

    /// MAC guessing on both sides: forged requests to the device (a null-ciphered Disable, the
    /// attacker's choice of command, with guessed MACs) until the device gives up its N_DEV,
    /// then forged responses to the AIOTF until it aborts the round.
    fn mac_guess(&mut self) -> Result<(), Error> {
        let limit = self.profile.limits.max_integrity_failures;
        let n_dev = self.inventory();
        let r2d = self.start(&n_dev)?;
        self.rec.add(
            4,
            "Attacker",
            format!(
                "holds the request back; sends null-ciphered Disable requests with guessed MACs \
                 (limit: {limit} failed checks per N_DEV)"
            ),
            &[],
        );
        let plain = crate::messages::CommandRequest {
            command: Command::Disable,
        }
        .encode(self.profile)?;
        let forged_frame = |rng: &mut dyn RngCore| {
            let mut nas = lay_out(self.profile, &plain, false);
            let mo = self.profile.layout.mac_offset(nas.len());
            rng.fill_bytes(&mut nas[mo..mo + MAC_LEN]);
            R2dFrame {
                n_aiotf: r2d.n_aiotf.clone(),
                nas,
            }
        };
        let mut rejected = 0;
        for _ in 0..limit {
            let f = forged_frame(&mut *self.rng);
            if matches!(self.deliver("Device", &f), Err(Error::Integrity(_))) {
                rejected += 1;
            }
        }
        let device_idle = *self.dev.state() == DeviceState::Idle;
        // The next guess finds no key agreement at all, and neither does the real request.
        let f = forged_frame(&mut *self.rng);
        let refused_after = matches!(self.deliver("Device", &f), Err(Error::Replay(_)));
        self.rec
            .add(4, "NG-RAN", "R2D: finally relays the real request", &[]);
        let real_refused = self.deliver("Device", &r2d).is_err();
        // The AIOTF side: forged responses until it aborts its round.
        self.rec.add(
            8,
            "Attacker",
            format!("sends {limit} forged responses to the AIOTF"),
            &[],
        );
        let mut aiotf_rejected = 0;
        for _ in 0..limit {
            // A well-formed response (EPD, indication) with a random body and a guessed MAC.
            let mut body = [0u8; 8];
            self.rng.fill_bytes(&mut body);
            let mut payload = lay_out(self.profile, &body, self.cfg.cipher);
            let mo = self.profile.layout.mac_offset(payload.len());
            self.rng.fill_bytes(&mut payload[mo..mo + MAC_LEN]);
            let r = self.aiotf.handle_d2r(&D2rFrame { payload });
            if let Err(e) = &r {
                self.rec
                    .add(9, "AIOTF", format!("response rejected: {e}"), &[]);
            }
            aiotf_rejected += usize::from(r.is_err());
        }
        let aborted = matches!(self.aiotf.state(), AiotfState::Idle);
        let ok = rejected == limit
            && device_idle
            && refused_after
            && real_refused
            && aiotf_rejected == limit as usize
            && aborted
            && self.memory_unchanged();
        self.verdict(
            ok,
            format!(
                "after {limit} failed MAC checks the device dropped its N_DEV (a new inventory \
                 is needed) and the AIOTF aborted its round; memory unchanged"
            ),
            "MAC guessing NOT limited",
        );
        Ok(())
    }

    /// A request held back by the attacker until the AIOTF aborted its round: the AIOTF refuses
    /// a second round on the same N_DEV, so the new round needs a new inventory, under which the
    /// delayed request fails the integrity check.
    fn delayed_request(&mut self) -> Result<(), Error> {
        let n_dev = self.inventory();
        let held = self.start(&n_dev)?;
        self.rec.add(
            4,
            "Attacker",
            "holds the request back (the device never sees it)",
            &[],
        );
        self.aiotf.abort();
        self.rec.add(9, "AIOTF", "no response: round aborted", &[]);
        let reuse = self.aiotf.start(
            &n_dev,
            self.cfg.command.clone(),
            self.cfg.cipher,
            &mut *self.rng,
        );
        let reuse_refused = matches!(reuse, Err(Error::Replay(_)));
        self.rec.add(
            1,
            "AIOTF",
            match &reuse {
                Err(e) => format!("second round on the same N_DEV refused: {e}"),
                Ok(_) => "started a second round on the same N_DEV".into(),
            },
            &[],
        );
        let n_dev2 = self.inventory();
        let r2d = self.start(&n_dev2)?;
        self.rec
            .add(4, "Attacker", "delivers the held-back request now", &[]);
        let delayed_refused = matches!(self.deliver("Device", &held), Err(Error::Integrity(_)));
        self.rec
            .add(4, "NG-RAN", "R2D: relay the new Command Request", &[]);
        let round2 = match self.deliver("Device", &r2d) {
            Ok((d2r, executed)) => self.complete(&d2r, &executed),
            Err(_) => false,
        };
        let ok = reuse_refused && delayed_refused && round2;
        self.verdict(
            ok,
            "the held-back request was refused (the AIOTF never reuses an N_DEV, the new round \
             runs under a new one); the new round completed",
            "delayed request NOT rejected",
        );
        Ok(())
    }
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
