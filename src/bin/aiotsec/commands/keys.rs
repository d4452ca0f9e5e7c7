//! The key hierarchy: `derive`.

use serde_json::json;

use aiotsec::error::Error;
use aiotsec::hexutil::encode;
use aiotsec::kdf::{derive_command_keys, derive_kaiotf};
use aiotsec::keys::{Key256, LongTermKey};
use aiotsec::profile::Profile;

use super::{hex_arg, load_profile};
use crate::Output;
use crate::args::DeriveArgs;

/// KAIOTF as given (`--kaiotf`) or derived (`--ltk`, `--n-aiotf`, `--n-dev`).
fn kaiotf_of(profile: &Profile, a: &DeriveArgs) -> Result<Key256, Error> {
    match (&a.kaiotf, &a.ltk, &a.n_aiotf, &a.n_dev) {
        (Some(k), None, None, None) => Key256::from_hex(k),
        (None, Some(l), Some(na), Some(nd)) => derive_kaiotf(
            profile,
            &LongTermKey::from_hex(l)?,
            &hex_arg("n-aiotf", na)?,
            &hex_arg("n-dev", nd)?,
        ),
        _ => Err(Error::Protocol(
            "give --kaiotf, or --ltk with --n-aiotf and --n-dev".into(),
        )),
    }
}

pub fn derive(a: &DeriveArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let ka = kaiotf_of(&profile, a)?;
    let ck = derive_command_keys(&profile, &ka)?;
    let (a, e, i) = (
        encode(ka.expose()),
        encode(ck.enc.expose()),
        encode(ck.int.expose()),
    );
    Ok(Output::new(
        format!("KAIOTF       {a}\nKCommand_enc {e}\nKCommand_int {i}"),
        json!({"kaiotf": a, "kcommand_enc": e, "kcommand_int": i, "provisional": true}),
    ))
}
