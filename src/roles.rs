//! The three actors of TS 33.369 clause 5.3.2 as explicit state machines: the AIOTF (core network
//! function), the NG-RAN (reader; relays R2D/D2R frames) and the Device (the tag, with a user
//! memory). The device's cryptography runs on a [`CryptoEngine`] backend (model or RTL).

use rand::RngCore;
use serde::Serialize;

use crate::engine::{CryptoEngine, EngineError, Status};
use crate::error::Error;
use crate::kdf::{derive_command_keys, derive_kaiotf};
use crate::keys::{CommandKeys, Key256, LongTermKey};
use crate::messages::{
    Command, CommandRequest, CommandResponse, DecodeError, Protector, ResponseStatus, Unprotected,
    body, lay_out,
};
use crate::profile::Profile;

/// Reader-to-device frame: the fresh N_AIOTF (clear) and the protected AIOT NAS Command Request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct R2dFrame {
    /// N_AIOTF, the AIOTF's fresh nonce of `kaiotf.n_aiotf_len` octets, sent in the clear (P0 of
    /// the KAIOTF derivation).
    #[serde(serialize_with = "hex_ser")]
    pub n_aiotf: Vec<u8>,
    /// The protected AIOT NAS Command Request, as laid out by the profile.
    #[serde(serialize_with = "hex_ser")]
    pub nas: Vec<u8>,
}

/// Device-to-reader frame: a protected AIOT NAS message (the Command Response), or the device's
/// fresh N_DEV during the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct D2rFrame {
    /// The frame's content: N_DEV (`kaiotf.n_dev_len` octets) after an inventory, else the
    /// protected Command Response.
    #[serde(serialize_with = "hex_ser")]
    pub payload: Vec<u8>,
}

fn hex_ser<S: serde::Serializer>(d: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(d))
}

// ---------------------------------------------------------------------------------------------
// AIOTF

/// AIOTF state.
#[derive(Debug)]
pub enum AiotfState {
    /// No round running: [`Aiotf::start`] may begin one.
    Idle,
    /// Request sent (steps 1-4), waiting for the Command Response of this round.
    AwaitingResponse {
        /// The round's KCommand_enc / KCommand_int, prepared (zeroized when the state is left).
        keys: Box<Protector>,
        /// The request that was sent, for the trace and the check of the response.
        request: CommandRequest,
        /// The request was ciphered; the response must carry the same ciphering indication.
        ciphered: bool,
        /// Responses of this round that failed the integrity check so far.
        failures: u32,
    },
    /// A valid response ended the round; its keys are gone. A new round needs a new N_DEV.
    Done,
}

/// How many N_DEV values of earlier rounds the AIOTF remembers (a device's N_DEV is fresh at
/// every inventory, so a repeated one means a round on a key agreement already used).
pub const USED_N_DEV_MEMORY: usize = 1024;

/// The AIOTF: knows the device's long-term key, runs one command round per KAIOTF.
pub struct Aiotf {
    profile: Profile,
    k: LongTermKey,
    state: AiotfState,
    /// N_DEV of every round started (the most recent [`USED_N_DEV_MEMORY`]): a second round on
    /// one of them is refused, so a request of an aborted round that an attacker held back can
    /// never be executed alongside a newer request under the same key agreement.
    used_n_dev: std::collections::VecDeque<Vec<u8>>,
    /// KAIOTF of the current round (kept for the trace only).
    pub kaiotf: Option<Key256>,
}

impl Aiotf {
    /// An idle AIOTF holding the device's long-term key `k` (K_AIoT), with no N_DEV used yet.
    pub fn new(profile: Profile, k: LongTermKey) -> Self {
        Self {
            profile,
            k,
            state: AiotfState::Idle,
            used_n_dev: Default::default(),
            kaiotf: None,
        }
    }

    /// Where the AIOTF is in its round.
    pub fn state(&self) -> &AiotfState {
        &self.state
    }

    /// Steps 1-3: derive KAIOTF from the device's N_DEV and a fresh N_AIOTF, derive
    /// KCommand_enc/int, build and protect the Command Request. Returns the R2D frame content.
    pub fn start(
        &mut self,
        n_dev: &[u8],
        command: Command,
        cipher: bool,
        rng: &mut dyn RngCore,
    ) -> Result<(R2dFrame, CommandKeys), Error> {
        if matches!(self.state, AiotfState::AwaitingResponse { .. }) {
            return Err(Error::Protocol(
                "AIOTF: a round is already running (abort it first)".into(),
            ));
        }
        if self.used_n_dev.iter().any(|d| d == n_dev) {
            return Err(Error::Replay(
                "AIOTF: this N_DEV was used by an earlier round: a new inventory is needed",
            ));
        }
        let mut n_aiotf = vec![0u8; self.profile.kaiotf.n_aiotf_len];
        rng.fill_bytes(&mut n_aiotf);
        let kaiotf = derive_kaiotf(&self.profile, &self.k, &n_aiotf, n_dev)?;
        let keys = derive_command_keys(&self.profile, &kaiotf)?;
        let request = CommandRequest { command };
        let plain = request.encode(&self.profile)?;
        let protector = Protector::new(&keys);
        let nas = protector.protect(&self.profile, self.profile.request, &plain, cipher)?;
        if self.used_n_dev.len() == USED_N_DEV_MEMORY {
            self.used_n_dev.pop_front();
        }
        self.used_n_dev.push_back(n_dev.to_vec());
        self.kaiotf = Some(kaiotf);
        self.state = AiotfState::AwaitingResponse {
            keys: Box::new(protector),
            request,
            ciphered: cipher,
            failures: 0,
        };
        Ok((R2dFrame { n_aiotf, nas }, keys))
    }

    /// Give up the running round (no response came): its keys are dropped (and zeroized).
    pub fn abort(&mut self) {
        self.state = AiotfState::Idle;
        self.kaiotf = None;
    }

    /// Step 9: verify and decipher the Command Response. The round ends (keys discarded) on a
    /// valid response; a forged one is discarded and the AIOTF keeps waiting, until
    /// `limits.max_integrity_failures` responses have failed the integrity check: then the round
    /// is aborted.
    pub fn handle_d2r(&mut self, frame: &D2rFrame) -> Result<CommandResponse, Error> {
        let limit = self.profile.limits.max_integrity_failures;
        let AiotfState::AwaitingResponse {
            keys,
            ciphered,
            failures,
            ..
        } = &mut self.state
        else {
            return Err(Error::Replay(
                "AIOTF: no command round is waiting for a response",
            ));
        };
        let u = match keys.unprotect(&self.profile, self.profile.response, &frame.payload) {
            Err(Error::Integrity(_)) => {
                *failures += 1;
                if *failures >= limit {
                    self.abort();
                    return Err(Error::Integrity(
                        "response MAC mismatch: limit of failed checks reached, round aborted",
                    ));
                }
                return Err(Error::Integrity("response MAC mismatch: discarded"));
            }
            r => r?,
        };
        if u.ciphered != *ciphered {
            return Err(Error::Protocol(
                "response ciphering indication differs from the request's".into(),
            ));
        }
        let rsp = CommandResponse::decode(&u.plain, &self.profile)?;
        self.state = AiotfState::Done;
        self.kaiotf = None;
        Ok(rsp)
    }
}

// ---------------------------------------------------------------------------------------------
// NG-RAN

/// The reader: relays frames unchanged and records them (the vantage point of an attacker on the
/// air interface, which the procedure's attack cases use).
#[derive(Default)]
pub struct NgRan {
    /// Every R2D frame relayed, in order (what an eavesdropper sees downlink).
    pub r2d_log: Vec<R2dFrame>,
    /// Every D2R frame relayed, in order (N_DEV frames and Command Responses).
    pub d2r_log: Vec<D2rFrame>,
}

impl NgRan {
    /// Step 4: relay an AIOTF message to the device in an R2D frame.
    pub fn relay_r2d(&mut self, f: R2dFrame) -> R2dFrame {
        self.r2d_log.push(f.clone());
        f
    }

    /// Step 8: relay a device message to the AIOTF.
    pub fn relay_d2r(&mut self, f: D2rFrame) -> D2rFrame {
        self.d2r_log.push(f.clone());
        f
    }
}

// ---------------------------------------------------------------------------------------------
// The tag's message operations on its engine

/// Tag side, on an engine with the command keys loaded: verify the protected Command Request
/// `nas` over the whole message and only then decipher it. A MAC mismatch is
/// [`Error::Integrity`]; an indication or length the engine refuses is a typed error. The
/// engine is left as it is (keys loaded): the caller zeroizes it.
pub fn unprotect_request(
    engine: &mut dyn CryptoEngine,
    profile: &Profile,
    nas: &[u8],
) -> Result<Unprotected, Error> {
    let l = &profile.layout;
    let mut buf = nas.to_vec();
    let out = engine.unprotect(&mut buf)?;
    match out.status {
        Status::Ok => Ok(Unprotected {
            ciphered: out.ciphered,
            plain: body(profile, &buf).to_vec(),
        }),
        Status::MacFailure => Err(Error::Integrity("request MAC mismatch: discarded")),
        Status::BadIndication => Err(Error::Decode(DecodeError::Indication(
            nas.get(l.indication_offset).copied().unwrap_or(0),
        ))),
        Status::BadLength => Err(Error::Engine(EngineError::Invalid(
            "engine refused the message length".into(),
        ))),
    }
}

/// Tag side, on an engine with the command keys loaded: lay out the plain Command Response and
/// protect it (cipher when `cipher`, then the MAC). The engine is left as it is.
pub fn protect_response(
    engine: &mut dyn CryptoEngine,
    profile: &Profile,
    plain: &[u8],
    cipher: bool,
) -> Result<Vec<u8>, Error> {
    let mut rsp = lay_out(profile, plain, cipher);
    let p = engine.protect(&mut rsp)?;
    if p.status != Status::Ok {
        return Err(Error::Engine(EngineError::Protocol(format!(
            "engine refused to protect the response: {:?}",
            p.status
        ))));
    }
    Ok(rsp)
}

// ---------------------------------------------------------------------------------------------
// Device

/// Device state: one command per KAIOTF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    /// No key agreement running.
    Idle,
    /// Inventory done, N_DEV sent, waiting for the one command of this KAIOTF; `failures`
    /// requests have failed the integrity check under this N_DEV so far.
    AwaitingCommand {
        /// The N_DEV sent at the inventory (P1 of the KAIOTF derivation).
        n_dev: Vec<u8>,
        /// Requests that failed the integrity check under this N_DEV (at
        /// `limits.max_integrity_failures` the device drops N_DEV and goes idle).
        failures: u32,
    },
    /// The command of this KAIOTF was executed; anything else is refused until a new inventory.
    Done,
}

/// What the device did with an R2D frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Executed {
    /// The verified and decoded Command Request.
    pub request: CommandRequest,
    /// The plain Command Response the device built (before protection).
    pub response: CommandResponse,
    /// The request was ciphered, and so the response is.
    pub ciphered: bool,
    /// How the tag got its command keys (step 5).
    pub keys: KeySource,
}

/// How the device got KCommand_enc / KCommand_int for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// The engine's DERIVE, from its key store: no key left the engine. `cycles`: what the
    /// DERIVE took on a hardware backend (`None` on the model).
    EngineDerive {
        /// Clock cycles of the DERIVE command (hardware backends).
        cycles: Option<u64>,
    },
    /// Derived in software on the tag side and loaded with LOAD_KEYS (an engine without DERIVE).
    SoftwareLoaded,
}

/// The tag.
pub struct Device {
    profile: Profile,
    k: LongTermKey,
    memory: Vec<u8>,
    disabled: bool,
    state: DeviceState,
}

impl Device {
    /// An idle, enabled tag with the long-term key `k` and `memory` as its user memory (its size is
    /// the memory's length).
    pub fn new(profile: Profile, k: LongTermKey, memory: Vec<u8>) -> Self {
        Self {
            profile,
            k,
            memory,
            disabled: false,
            state: DeviceState::Idle,
        }
    }

    /// The user memory as it is now.
    pub fn memory(&self) -> &[u8] {
        &self.memory
    }

    /// A Disable command was executed: the tag answers every later command with `Disabled`.
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    /// Where the device is in its key agreement.
    pub fn state(&self) -> &DeviceState {
        &self.state
    }

    /// Step 1 (device side): the inventory; the device picks a fresh N_DEV and sends it.
    pub fn inventory(&mut self, rng: &mut dyn RngCore) -> D2rFrame {
        let mut n_dev = vec![0u8; self.profile.kaiotf.n_dev_len];
        rng.fill_bytes(&mut n_dev);
        self.state = DeviceState::AwaitingCommand {
            n_dev: n_dev.clone(),
            failures: 0,
        };
        D2rFrame { payload: n_dev }
    }

    /// Steps 5-7: derive the keys, verify (discard on failure, nothing changes), decipher,
    /// execute on the user memory, protect the response. The engine is cleared before returning,
    /// whatever the outcome.
    pub fn handle_r2d(
        &mut self,
        frame: &R2dFrame,
        engine: &mut dyn CryptoEngine,
    ) -> Result<(D2rFrame, Executed), Error> {
        let r = self.handle_inner(frame, engine);
        let z = engine.zeroize();
        let out = r?;
        z?;
        Ok(out)
    }

    fn handle_inner(
        &mut self,
        frame: &R2dFrame,
        engine: &mut dyn CryptoEngine,
    ) -> Result<(D2rFrame, Executed), Error> {
        let DeviceState::AwaitingCommand { n_dev, .. } = &self.state else {
            return Err(Error::Replay(
                "device: no fresh KAIOTF (one command per KAIOTF)",
            ));
        };
        let l = self.profile.layout.clone();
        let nas = &frame.nas;
        if nas.len() < l.min_message_len() {
            return Err(Error::Decode(DecodeError::Truncated {
                what: "protected message",
                needed: l.min_message_len(),
                got: nas.len(),
            }));
        }
        if nas.len() > l.max_message_len {
            return Err(Error::Decode(DecodeError::TooLong {
                len: nas.len(),
                max: l.max_message_len,
            }));
        }
        if nas[l.epd_offset] != l.epd {
            return Err(Error::Decode(DecodeError::Epd(nas[l.epd_offset])));
        }
        let key_source = if engine.has_derive() {
            // Step 5 in the engine: it derives KAIOTF and the command keys from its key store
            // (no software KDF on the tag side; the keys never leave the engine).
            engine.set_key_store(&self.k)?;
            engine.derive(&frame.n_aiotf, n_dev)?;
            KeySource::EngineDerive {
                cycles: engine.last_cycles(),
            }
        } else {
            let kaiotf = derive_kaiotf(&self.profile, &self.k, &frame.n_aiotf, n_dev)?;
            let keys = derive_command_keys(&self.profile, &kaiotf)?;
            engine.load_keys(&keys.enc, &keys.int)?;
            KeySource::SoftwareLoaded
        };
        let u = match unprotect_request(engine, &self.profile, nas) {
            Err(Error::Integrity(_)) => return Err(self.integrity_failure()),
            r => r?,
        };
        // Integrity verified: the command of this KAIOTF is consumed from here on.
        self.state = DeviceState::Done;
        let request = CommandRequest::decode(&u.plain, &self.profile)?;
        let response = self.execute(&request.command);
        // Step 7: the response, under the same keys, same ciphering indication.
        let rsp_plain = response.encode(&self.profile)?;
        let rsp = protect_response(engine, &self.profile, &rsp_plain, u.ciphered)?;
        Ok((
            D2rFrame { payload: rsp },
            Executed {
                request,
                response,
                ciphered: u.ciphered,
                keys: key_source,
            },
        ))
    }

    /// Count a request that failed the integrity check; at `limits.max_integrity_failures` the
    /// N_DEV is dropped and the device goes back to idle (a new inventory is needed).
    fn integrity_failure(&mut self) -> Error {
        let limit = self.profile.limits.max_integrity_failures;
        if let DeviceState::AwaitingCommand { failures, .. } = &mut self.state {
            *failures += 1;
            if *failures >= limit {
                self.state = DeviceState::Idle;
                return Error::Integrity(
                    "request MAC mismatch: limit of failed checks reached, N_DEV dropped \
                     (a new inventory is needed)",
                );
            }
        }
        Error::Integrity("request MAC mismatch: discarded")
    }

    /// Step 6: execute a verified command on the user memory.
    fn execute(&mut self, c: &Command) -> CommandResponse {
        let fail = |status| CommandResponse {
            status,
            data: vec![],
        };
        if self.disabled {
            return fail(ResponseStatus::Disabled);
        }
        let max_data = crate::messages::max_plain_len(&self.profile).saturating_sub(4);
        match c {
            Command::Read { offset, length } => {
                let (o, n) = (*offset as usize, *length as usize);
                if o + n > self.memory.len() || n > max_data {
                    return fail(ResponseStatus::OutOfRange);
                }
                CommandResponse {
                    status: ResponseStatus::Success,
                    data: self.memory[o..o + n].to_vec(),
                }
            }
            Command::Write { offset, data } => {
                let o = *offset as usize;
                if o + data.len() > self.memory.len() {
                    return fail(ResponseStatus::OutOfRange);
                }
                self.memory[o..o + data.len()].copy_from_slice(data);
                fail(ResponseStatus::Success)
            }
            Command::Disable => {
                self.disabled = true;
                fail(ResponseStatus::Success)
            }
        }
    }
}
