//! Interleaved A/B measurement of the AIOTF command round: ours against the naive RustCrypto
//! composition of `bench/naive.rs` (the criterion group `aiotf` measures them one after the
//! other, so on a shared machine whose speed drifts over minutes their ratio drifts too).
//! Here batches of the two alternate, and the median ratio of neighbouring batches is printed.
//!
//! `cargo run --release --no-default-features --example round_ab [-- ROUNDS]`

use std::hint::black_box;
use std::time::Instant;

use aiotsec::kdf::derive_command_keys;
use aiotsec::keys::Key256;
use aiotsec::messages::{Protector, protect};
use aiotsec::profile::Profile;

#[path = "../bench/naive.rs"]
mod naive;

/// Round trips per batch.
const BATCH: u32 = 20_000;

fn ns_per_round(mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..BATCH {
        f();
    }
    t.elapsed().as_nanos() as f64 / f64::from(BATCH)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let p = Profile::default();
    let kaiotf = Key256::new([0x5c; 32]);
    let req_plain = [0x11u8; 32];
    let dev_keys = derive_command_keys(&p, &kaiotf).expect("keys");
    let response = protect(&p, &dev_keys, p.response, &[0x22u8; 32], true).expect("response");
    let ours = || {
        let keys = derive_command_keys(&p, black_box(&kaiotf)).expect("keys");
        let pr = Protector::new(&keys);
        let req = pr
            .protect(&p, p.request, black_box(&req_plain), true)
            .expect("protect");
        let rsp = pr
            .unprotect(&p, p.response, black_box(&response))
            .expect("unprotect");
        (req, rsp.plain)
    };
    let theirs = || naive::round(&p, black_box(kaiotf.expose()), &req_plain, &response);
    assert_eq!(ours(), theirs(), "both compositions compute the same round");
    let (mut a, mut b, mut r) = (vec![], vec![], vec![]);
    for _ in 0..rounds.max(1) {
        let x = ns_per_round(|| {
            black_box(ours());
        });
        let y = ns_per_round(|| {
            black_box(theirs());
        });
        a.push(x);
        b.push(y);
        r.push(y / x);
    }
    println!(
        "command round over {} interleaved batch pairs of {BATCH}: ours {:.0} ns, naive {:.0} ns \
         (medians); naive / ours: median {:.2}, min {:.2}, max {:.2}",
        r.len(),
        median(&mut a),
        median(&mut b),
        median(&mut r.clone()),
        r.iter().copied().fold(f64::MAX, f64::min),
        r.iter().copied().fold(0.0, f64::max),
    );
}
