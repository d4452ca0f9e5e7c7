//! Run the official TS 33.401 128-NEA2 / 128-NIA2 test sets (from `../shared/vectors/`) on the
//! model backend and, in a build with the `rtl` feature (the default), on the Verilated RTL
//! engine: `cargo run --release --example official_test_set`.

use aiotsec::engine::{self, BackendKind, CryptoEngine};
use aiotsec::keys::Key128;
use aiotsec::profile::Profile;
use aiotsec::vectors;

/// One result line; 1 if the test set came out wrong.
fn report(backend: &str, name: &str, ok: bool) -> usize {
    println!(
        "{backend:>6} {name:<55} {}",
        if ok { "ok" } else { "WRONG" }
    );
    usize::from(!ok)
}

fn run(e: &mut dyn CryptoEngine) -> Result<usize, aiotsec::Error> {
    let mut bad = 0;
    for v in vectors::nea2()?.iter().filter(|v| v.official) {
        e.load_keys(&Key128::new(v.key), &Key128::new([0; 16]))?;
        let ok = e.nea2(v.inputs, &v.plaintext, v.bits)? == v.ciphertext;
        bad += report(e.name(), &v.name, ok);
    }
    for v in vectors::nia2()?.iter().filter(|v| v.official) {
        e.load_keys(&Key128::new([0; 16]), &Key128::new(v.key))?;
        let ok = e.nia2(v.inputs, &v.message, v.bits)? == v.mac;
        bad += report(e.name(), &v.name, ok);
    }
    e.zeroize()?;
    Ok(bad)
}

fn main() -> Result<(), aiotsec::Error> {
    let profile = Profile::default();
    let mut bad = 0;
    for kind in [BackendKind::Model, BackendKind::Rtl] {
        match engine::open(kind, &profile) {
            Ok(mut e) => bad += run(&mut *e)?,
            Err(err) => println!("{kind:?} backend not run: {err}"),
        }
    }
    if bad != 0 {
        return Err(aiotsec::Error::Protocol(format!("{bad} test sets wrong")));
    }
    println!("all official test sets ok");
    Ok(())
}
