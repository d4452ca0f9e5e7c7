//! The command program both analyses run on the RTL backend, one trace per run, from reset:
//! LOAD_KEYS, idle, one AES block (a 128-bit NEA2), a 32-byte UNPROTECT then PROTECT, idle,
//! ZEROIZE, idle. Each phase is a range of cycles counted from the end of the reset. The energy
//! proxy runs it with a DERIVE first ([`DeriveInputs`]: KAIOTF and both command keys from a
//! random K_AIoT and nonces, then idle); the TVLA does not (34,000 cycles more per trace).

use crate::engine::rtl::{RtlConfig, RtlEngine};
use crate::engine::{CryptoEngine, EngineError, Status};
use crate::keys::{Key128, LongTermKey};
use crate::messages::mac_input;
use crate::profile::{MAC_LEN, Profile};
use crate::sim::{ToggleTrace, Variant};
use crate::{algorithms, keys::CommandKeys};

/// Length of the ciphered part of the request and the response.
pub(crate) const BODY_LEN: usize = 32;

/// Cycles after a command that the engine may still spend clearing its working registers
/// (documented: within 16 cycles the key ring is the only register holding key-dependent data).
pub(crate) const SETTLE: usize = 16;

/// The name of the DERIVE phase.
pub(crate) const DERIVE_PHASE: &str = "DERIVE (KAIOTF, both keys)";

/// What one trace is run with.
pub(crate) struct Inputs {
    pub(crate) enc: [u8; 16],
    pub(crate) int: [u8; 16],
    /// The AES block's plaintext (the data of a 128-bit NEA2).
    pub(crate) block: [u8; 16],
    /// The request's plain body and the response's plain body.
    pub(crate) req_body: [u8; BODY_LEN],
    pub(crate) rsp_body: [u8; BODY_LEN],
    /// XOR applied to octet `mac_pos` of the request's MAC (0: the MAC is right).
    pub(crate) mac_flip: u8,
    pub(crate) mac_pos: usize,
}

impl Inputs {
    /// Random keys, block and bodies, the MAC right.
    pub(crate) fn random(rng: &mut impl rand::RngCore) -> Self {
        let mut i = Self {
            enc: [0; 16],
            int: [0; 16],
            block: [0; 16],
            req_body: [0; BODY_LEN],
            rsp_body: [0; BODY_LEN],
            mac_flip: 0,
            mac_pos: 0,
        };
        rng.fill_bytes(&mut i.enc);
        rng.fill_bytes(&mut i.int);
        rng.fill_bytes(&mut i.block);
        rng.fill_bytes(&mut i.req_body);
        rng.fill_bytes(&mut i.rsp_body);
        i
    }
}

/// The DERIVE that opens the energy proxy's program: the tag's K_AIoT and the two nonces (the
/// profile's lengths are taken from the front of each).
pub(crate) struct DeriveInputs {
    pub(crate) ltk: [u8; 16],
    pub(crate) n_aiotf: [u8; 64],
    pub(crate) n_dev: [u8; 64],
}

impl DeriveInputs {
    /// Random key and nonces.
    pub(crate) fn random(rng: &mut impl rand::RngCore) -> Self {
        let mut d = Self {
            ltk: [0; 16],
            n_aiotf: [0; 64],
            n_dev: [0; 64],
        };
        rng.fill_bytes(&mut d.ltk);
        rng.fill_bytes(&mut d.n_aiotf);
        rng.fill_bytes(&mut d.n_dev);
        d
    }
}

/// One phase of the program: name and cycles `[start, end)` from the start of the trace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Phase {
    /// Name ("key load", "AES block", ...).
    pub name: String,
    /// First cycle.
    pub start: usize,
    /// One past the last cycle.
    pub end: usize,
}

/// One trace: the register toggles of every cycle, and the phases.
pub(crate) struct Trace {
    pub(crate) toggles: ToggleTrace,
    pub(crate) phases: Vec<Phase>,
    /// UNPROTECT's verdict (a wrong MAC must give MacFailure).
    pub(crate) unprotect: Status,
}

/// The backend the programs run on: no stalls, fixed placement.
pub(crate) fn open(profile: &Profile, variant: Variant) -> Result<RtlEngine, EngineError> {
    RtlEngine::with_config(
        profile,
        RtlConfig {
            variant,
            stall_prob: 0.0,
            random_placement: false,
            ..RtlConfig::default()
        },
    )
}

/// A protected Command Request with `body` as its plain ciphered part, as the AIOTF sends it.
fn request(profile: &Profile, k: &CommandKeys, body: &[u8]) -> Vec<u8> {
    let l = &profile.layout;
    let n = l.min_message_len() + body.len();
    let mut f = vec![0u8; n];
    f[l.epd_offset] = l.epd;
    f[l.indication_offset] = l.indication_ciphered;
    let bo = l.body_offset();
    f[bo..bo + body.len()].copy_from_slice(body);
    let _ = algorithms::nea2_in_place(&k.enc, profile.request, &mut f[bo..], body.len() * 8);
    let m = mac_input(profile, &f);
    let mac = algorithms::nia2(&k.int, profile.request, &m, m.len() * 8).unwrap_or([0; 4]);
    let mo = l.mac_offset(n);
    f[mo..mo + MAC_LEN].copy_from_slice(&mac);
    f
}

/// A Command Response to protect (MAC field zero).
fn response(profile: &Profile, body: &[u8]) -> Vec<u8> {
    let l = &profile.layout;
    let mut f = vec![0u8; l.min_message_len() + body.len()];
    f[l.epd_offset] = l.epd;
    f[l.indication_offset] = l.indication_ciphered;
    let bo = l.body_offset();
    f[bo..bo + body.len()].copy_from_slice(body);
    f
}

/// Run the program once from reset on `eng`, recording every cycle; with `derive`, a DERIVE
/// and an idle phase first.
pub(crate) fn run(
    eng: &mut RtlEngine,
    profile: &Profile,
    inp: &Inputs,
    derive: Option<&DeriveInputs>,
    idle: usize,
) -> Result<Trace, EngineError> {
    eng.reset()?;
    eng.reseed(0);
    if let Some(d) = derive {
        let ltk =
            LongTermKey::from_slice(&d.ltk).map_err(|e| EngineError::Invalid(e.to_string()))?;
        eng.set_key_store(&ltk)?;
    }
    let base = eng.sim().cycles();
    let at = |e: &RtlEngine| (e.sim().cycles() - base) as usize;
    let mut phases = Vec::new();
    let mut mark = |name: &str, start: usize, end: usize| {
        phases.push(Phase {
            name: name.to_string(),
            start,
            end,
        })
    };
    eng.sim_mut().record_toggles(true);
    if let Some(d) = derive {
        let k = &profile.kaiotf;
        let (na, nd) = (d.n_aiotf.get(..k.n_aiotf_len), d.n_dev.get(..k.n_dev_len));
        let (Some(na), Some(nd)) = (na, nd) else {
            return Err(EngineError::Invalid("nonce lengths over 64 octets".into()));
        };
        let s = at(eng);
        eng.derive(na, nd)?;
        mark(DERIVE_PHASE, s, at(eng));
        let s = at(eng);
        eng.idle(idle as u64);
        mark("idle, keys derived", s, at(eng));
    }
    let keys = CommandKeys {
        enc: Key128::new(inp.enc),
        int: Key128::new(inp.int),
    };
    let s = at(eng);
    eng.load_keys(&keys.enc, &keys.int)?;
    mark("key load", s, at(eng));
    let s = at(eng);
    eng.idle(idle as u64);
    mark("idle, keys loaded", s, at(eng));
    let s = at(eng);
    eng.nea2(profile.request, &inp.block, 128)?;
    mark("AES block (128-bit NEA2)", s, at(eng));

    let mut req = request(profile, &keys, &inp.req_body);
    let mo = profile.layout.mac_offset(req.len());
    req[mo + inp.mac_pos.min(MAC_LEN - 1)] ^= inp.mac_flip;
    let s = at(eng);
    let out = eng.unprotect(&mut req)?;
    let e = at(eng);
    // the MAC compare: the cycles around the engine's last reads of the MAC field
    let mac_reads: Vec<u64> = eng
        .mem_log()
        .iter()
        .filter(|m| !m.write && (mo..mo + MAC_LEN).contains(&m.addr))
        .map(|m| m.cycle)
        .collect();
    mark("UNPROTECT 32 B", s, e);
    if let (Some(&a), Some(&b)) = (mac_reads.iter().rev().nth(MAC_LEN - 1), mac_reads.last()) {
        let a = (s + a as usize).saturating_sub(1);
        let b = (s + b as usize + 3).min(e);
        mark("MAC compare", a, b);
    }
    let mut rsp = response(profile, &inp.rsp_body);
    let s = at(eng);
    eng.protect(&mut rsp)?;
    mark("PROTECT 32 B", s, at(eng));
    let s = at(eng);
    eng.idle(idle as u64);
    let e = at(eng);
    mark("settling after the command", s, (s + SETTLE).min(e));
    mark("idle after the command", (s + SETTLE).min(e), e);
    let s = at(eng);
    eng.zeroize()?;
    mark("ZEROIZE", s, at(eng));
    let s = at(eng);
    eng.idle(idle as u64);
    mark("after ZEROIZE", s, at(eng));
    let toggles = eng.sim_mut().take_toggles();
    eng.sim_mut().record_toggles(false);
    Ok(Trace {
        toggles,
        phases,
        unprotect: out.status,
    })
}
