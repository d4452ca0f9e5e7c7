//! Level `message`: whole UNPROTECT / PROTECT operations. Directed: well-formed frames of the
//! corner body lengths, lengths below the minimum and above the buffer, bad ciphering
//! indications. Then attacks (which both backends must reject, the buffer unchanged) and random
//! frames with back-pressure.

use rand::{Rng, RngCore};

use super::super::runner::Runner;
use super::super::txn::Txn;
use super::Randoms;
use crate::profile::MAC_LEN;
use crate::sim::params;

/// The level, with the random transactions `n` (the first quarter of them attacks).
pub(super) fn run(r: &mut Runner, n: Randoms) {
    r.begin("message");
    if r.directed {
        well_formed(r);
        bad_lengths(r);
        bad_indications(r);
    }
    let (att, rnd) = n.split(n.n / 4);
    attacks(r, att);
    random(r, rnd);
    r.end();
}

/// The longest body a message of the profile has.
fn profile_max_body(r: &Runner) -> usize {
    let l = &r.profile.layout;
    l.max_message_len.saturating_sub(l.min_message_len())
}

/// Requests to unprotect and responses to protect, null and ciphered, of the corner body
/// lengths (block boundaries, the profile's maximum and the buffer's).
fn well_formed(r: &mut Runner) {
    let mut bodies: Vec<usize> = vec![0, 1, 2, 15, 16, 17, 31, 32, 33, 127, 128];
    bodies.extend([profile_max_body(r), r.max_body()]);
    for &body in &bodies {
        for cipher in [false, true] {
            let keys = r.keys();
            let f = r.request_frame(&keys, body, cipher);
            r.check(
                &format!("unprotect body {body} cipher {cipher}"),
                Txn::Unprotect { keys, frame: f },
                0.0,
                false,
            );
            let f = r.response_frame(body, cipher);
            r.check(
                &format!("protect body {body} cipher {cipher}"),
                Txn::Protect { keys, frame: f },
                0.0,
                false,
            );
        }
    }
}

/// Lengths below the minimum and above the buffer.
fn bad_lengths(r: &mut Runner) {
    let l = r.profile.layout.clone();
    for n in (0..l.min_message_len()).chain([params::BUFFER_LEN + 1]) {
        let keys = r.keys();
        let mut f = vec![0u8; n];
        r.rng.fill_bytes(&mut f);
        if let Some(b) = f.get_mut(l.indication_offset) {
            *b = l.indication_ciphered;
        }
        r.check_both(&format!("length {n}"), keys, f);
    }
}

/// Ciphering indications that are neither null nor ciphered.
fn bad_indications(r: &mut Runner) {
    let l = r.profile.layout.clone();
    for ind in [0x00u8, 0x03, 0xff, l.indication_null ^ 0x80] {
        if ind == l.indication_null || ind == l.indication_ciphered {
            continue;
        }
        let keys = r.keys();
        let mut f = r.request_frame(&keys, 20, true);
        f[l.indication_offset] = ind;
        r.check_both("bad indication", keys, f);
    }
}

/// A change to a valid request that the tag must reject.
#[derive(Debug, Clone, Copy)]
enum Attack {
    TamperedMac,
    TamperedCiphertext,
    FlippedIndication,
    TamperedEpd,
    Truncated,
    WrongKey,
}

impl Attack {
    /// Every attack, in the order they take turns.
    const ALL: [Attack; 6] = [
        Attack::TamperedMac,
        Attack::TamperedCiphertext,
        Attack::FlippedIndication,
        Attack::TamperedEpd,
        Attack::Truncated,
        Attack::WrongKey,
    ];

    fn name(self) -> &'static str {
        match self {
            Attack::TamperedMac => "tampered MAC",
            Attack::TamperedCiphertext => "tampered ciphertext",
            Attack::FlippedIndication => "flipped indication",
            Attack::TamperedEpd => "tampered EPD",
            Attack::Truncated => "truncated",
            Attack::WrongKey => "wrong key",
        }
    }
}

/// Every attack 8 times without stalls (directed shard), then the random transactions `n` with
/// back-pressure, the attacks taking turns.
fn attacks(r: &mut Runner, n: Randoms) {
    let na = Attack::ALL.len();
    if r.directed {
        for i in 0..na * 8 {
            attack(r, Attack::ALL[i % na], 0.0);
        }
    }
    for k in r.randoms(n.start, n.n) {
        r.begin_random(k);
        attack(
            r,
            Attack::ALL[(k - n.start) as usize % na],
            r.opts.stall_prob,
        );
    }
}

/// One attack on a random valid request; `stall` > 0 also places it at random.
fn attack(r: &mut Runner, a: Attack, stall: f64) {
    let l = r.profile.layout.clone();
    let keys = r.keys();
    let body = r.rng.gen_range(1..=200);
    let cipher = r.rng.gen_bool(0.5);
    let mut f = r.request_frame(&keys, body, cipher);
    let mo = l.mac_offset(f.len());
    let bo = l.body_offset();
    let bit = 1u8 << r.rng.gen_range(0..8);
    let mut k = keys;
    match a {
        Attack::TamperedMac => f[mo + r.rng.gen_range(0..MAC_LEN)] ^= bit,
        Attack::TamperedCiphertext => f[bo + r.rng.gen_range(0..body)] ^= bit,
        Attack::FlippedIndication => {
            f[l.indication_offset] = if cipher {
                l.indication_null
            } else {
                l.indication_ciphered
            }
        }
        Attack::TamperedEpd => f[l.epd_offset] ^= bit,
        Attack::Truncated => {
            f.pop();
        }
        Attack::WrongKey => k.1[0] ^= 1,
    }
    r.check(
        &format!("attack: {}", a.name()),
        Txn::Unprotect { keys: k, frame: f },
        stall,
        stall > 0.0,
    );
}

/// `n` random requests to unprotect or responses to protect, mostly within the profile's
/// maximum length, a tenth up to the buffer's.
fn random(r: &mut Runner, n: Randoms) {
    let stall = r.opts.stall_prob;
    let (profile_max_body, max_body) = (profile_max_body(r), r.max_body());
    for k in r.randoms(n.start, n.n) {
        r.begin_random(k);
        let keys = r.keys();
        let body = if r.rng.gen_bool(0.9) {
            r.rng.gen_range(0..=profile_max_body)
        } else {
            r.rng.gen_range(0..=max_body)
        };
        let cipher = r.rng.gen_bool(0.6);
        if r.rng.gen_bool(0.5) {
            let f = r.request_frame(&keys, body, cipher);
            r.check(
                "random unprotect",
                Txn::Unprotect { keys, frame: f },
                stall,
                true,
            );
        } else {
            let f = r.response_frame(body, cipher);
            r.check(
                "random protect",
                Txn::Protect { keys, frame: f },
                stall,
                true,
            );
        }
    }
}
