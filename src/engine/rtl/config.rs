//! How the harness drives the engine ([`RtlConfig`]) and the check that a profile matches the
//! parameters built into the RTL ([`check_profile`]).

use crate::error::EngineError;
use crate::profile::{MacPosition, Profile, SecurityInputs};
use crate::sim::{TraceFormat, Variant, params};

/// How the harness drives the engine.
#[derive(Debug, Clone)]
pub struct RtlConfig {
    /// Build to simulate (the faulty ones are for "must be able to fail" tests only).
    pub variant: Variant,
    /// Per cycle and handshake, the probability of stalling: holding back `cmd_valid` (before a
    /// command), deasserting `rsp_ready`, withholding `mem_ack`, `in_valid`/`out_ready` of the AES
    /// core. 0 = no stalls.
    pub stall_prob: f64,
    /// Seed of the stall pattern and of the garbage driven on idle inputs.
    pub seed: u64,
    /// Cycles one operation may take before [`EngineError::Timeout`] (the model is then reset).
    pub watchdog: u64,
    /// Place each frame at a random address of the buffer (else at 0) and fill the rest of the
    /// buffer with random octets, so stray writes are seen.
    pub random_placement: bool,
    /// Format of the engine model's waveforms ([`TraceFormat::Fst`]: `variant` Normal only).
    pub trace_format: TraceFormat,
}

impl Default for RtlConfig {
    fn default() -> Self {
        Self {
            variant: Variant::Normal,
            stall_prob: 0.0,
            seed: 0,
            watchdog: 4_000_000,
            random_placement: false,
            trace_format: TraceFormat::Vcd,
        }
    }
}

/// The per-cycle stall threshold for probability `p`: a stall when a random `u32` is below it
/// (0 = never). [`EngineError::Invalid`] unless `p` is in [0, 1).
pub(super) fn stall_threshold(p: f64) -> Result<u32, EngineError> {
    if !(0.0..1.0).contains(&p) {
        return Err(EngineError::Invalid(format!(
            "stall probability {p} outside [0, 1)"
        )));
    }
    Ok((p * 4_294_967_296.0) as u32)
}

/// Check that `profile` matches the parameters the RTL was built with.
pub fn check_profile(profile: &Profile) -> Result<(), EngineError> {
    let l = &profile.layout;
    let mut diffs = Vec::new();
    if l.clear_len != params::CLEAR_LEN {
        diffs.push(format!(
            "layout.clear_len {} (built {})",
            l.clear_len,
            params::CLEAR_LEN
        ));
    }
    if l.indication_offset != params::IND_OFFSET {
        diffs.push(format!(
            "layout.indication_offset {} (built {})",
            l.indication_offset,
            params::IND_OFFSET
        ));
    }
    if l.indication_null != params::IND_NULL || l.indication_ciphered != params::IND_CIPHERED {
        diffs.push(format!(
            "layout.indication_null/ciphered {:#04x}/{:#04x} (built {:#04x}/{:#04x})",
            l.indication_null,
            l.indication_ciphered,
            params::IND_NULL,
            params::IND_CIPHERED
        ));
    }
    if (l.mac_position == MacPosition::Trailer) != params::MAC_TRAILER {
        diffs.push(format!("layout.mac_position {:?}", l.mac_position));
    }
    let req = SecurityInputs {
        count: params::REQ_COUNT,
        bearer: params::REQ_BEARER,
        direction: params::REQ_DIRECTION,
    };
    let rsp = SecurityInputs {
        count: params::RSP_COUNT,
        bearer: params::RSP_BEARER,
        direction: params::RSP_DIRECTION,
    };
    let k = &profile.kaiotf;
    let c = &profile.command_keys;
    let a = &profile.algorithms;
    let built = [
        ("kaiotf.fc", usize::from(k.fc), usize::from(params::FC_A3)),
        ("kaiotf.n_aiotf_offset", k.n_aiotf_offset, params::NA_OFF),
        ("kaiotf.n_aiotf_len", k.n_aiotf_len, params::NA_LEN),
        ("kaiotf.n_dev_offset", k.n_dev_offset, params::ND_OFF),
        ("kaiotf.n_dev_len", k.n_dev_len, params::ND_LEN),
        (
            "command_keys.fc",
            usize::from(c.fc),
            usize::from(params::FC_A4),
        ),
        (
            "command_keys.enc_distinguisher",
            usize::from(c.enc_distinguisher),
            usize::from(params::ENC_DIST),
        ),
        (
            "command_keys.int_distinguisher",
            usize::from(c.int_distinguisher),
            usize::from(params::INT_DIST),
        ),
        (
            "algorithms.nea2",
            usize::from(a.nea2),
            usize::from(params::ALG_NEA2),
        ),
        (
            "algorithms.nia2",
            usize::from(a.nia2),
            usize::from(params::ALG_NIA2),
        ),
    ];
    for (name, got, b) in built {
        if got != b {
            diffs.push(format!("{name} {got:#x} (built {b:#x})"));
        }
    }
    if profile.request != req {
        diffs.push(format!("request {:?} (built {req:?})", profile.request));
    }
    if profile.response != rsp {
        diffs.push(format!("response {:?} (built {rsp:?})", profile.response));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Unavailable(format!(
            "the RTL engine was built for another profile (rebuild after editing \
             profiles/provisional.toml): {}",
            diffs.join("; ")
        )))
    }
}
