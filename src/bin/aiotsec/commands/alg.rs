//! The algorithms on their own: `kdf`, `nea2`, `nia2`, `aes`.

use serde_json::json;

use aiotsec::algorithms::{check_inputs, octets_for};
use aiotsec::engine::BackendKind;
use aiotsec::error::Error;
use aiotsec::hexutil::{encode, parse_hex_u64};
use aiotsec::kdf::{kdf as kdf_fn, kdf_input};
use aiotsec::keys::Key128;
use aiotsec::profile::{Profile, SecurityInputs};

use super::{hex_arg, load_profile, no_profile, open_engine};
use crate::args::{AesArgs, AlgArgs, KdfArgs};
use crate::{Output, cycles_json};

/// The key, COUNT/BEARER/DIRECTION and message of `nea2`/`nia2`, checked.
fn alg_inputs(a: &AlgArgs) -> Result<(Key128, SecurityInputs, Vec<u8>), Error> {
    let key = Key128::from_hex(&a.key)?;
    let count = u32::try_from(parse_hex_u64(&a.count)?)
        .map_err(|_| Error::Hex("--count exceeds 32 bits".into()))?;
    let inputs = SecurityInputs {
        count,
        bearer: a.bearer,
        direction: a.direction,
    };
    check_inputs(&inputs)?;
    let data = hex_arg("data", &a.data)?;
    octets_for(a.bits, &data)?;
    Ok((key, inputs, data))
}

pub fn kdf(a: &KdfArgs) -> Result<Output, Error> {
    no_profile(
        &a.common,
        "kdf",
        "its FC and parameters are given on the command line",
    )?;
    let key = hex_arg("key", &a.key)?;
    let fc = u8::try_from(parse_hex_u64(&a.fc)?)
        .map_err(|_| Error::Hex("--fc exceeds one octet".into()))?;
    let ps: Vec<Vec<u8>> = a
        .params
        .iter()
        .map(|p| hex_arg("param", p))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&[u8]> = ps.iter().map(|p| p.as_slice()).collect();
    let (o, backend, cycles) = match a.backend {
        BackendKind::Model => (kdf_fn(&key, fc, &refs)?, "model", serde_json::Value::Null),
        kind => {
            // The engine's HASH command; the profile does not enter a raw KDF.
            let mut e = open_engine(kind, &a.link, &Profile::default())?;
            let o = aiotsec::engine::kdf(&mut *e, &key, fc, &refs)?;
            (o, e.name(), cycles_json(&*e))
        }
    };
    let h = encode(o.expose());
    Ok(Output::new(
        h.clone(),
        json!({"output": h, "s": encode(&kdf_input(fc, &refs)?), "backend": backend, "cycles": cycles}),
    ))
}

pub fn nea2(a: &AlgArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let (key, inputs, data) = alg_inputs(a)?;
    let mut e = open_engine(a.backend, &a.link, &profile)?;
    e.load_keys(&key, &key)?;
    let o = e.nea2(inputs, &data, a.bits)?;
    let h = encode(&o);
    Ok(Output::new(
        h.clone(),
        json!({"output": h, "bits": a.bits, "backend": e.name(), "cycles": cycles_json(&*e)}),
    ))
}

pub fn nia2(a: &AlgArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let (key, inputs, data) = alg_inputs(a)?;
    let mut e = open_engine(a.backend, &a.link, &profile)?;
    e.load_keys(&key, &key)?;
    let m = e.nia2(inputs, &data, a.bits)?;
    let h = encode(&m);
    Ok(Output::new(
        h.clone(),
        json!({"mac": h, "bits": a.bits, "backend": e.name(), "cycles": cycles_json(&*e)}),
    ))
}

pub fn aes(a: &AesArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let key = Key128::from_hex(&a.key)?;
    let b: [u8; 16] = hex_arg("block", &a.block)?
        .try_into()
        .map_err(|_| Error::Hex("--block must be 16 octets".into()))?;
    let mut e = open_engine(a.backend, &a.link, &profile)?;
    let o = e.aes_block(&key, &b)?;
    let h = encode(&o);
    Ok(Output::new(
        h.clone(),
        json!({"output": h, "backend": e.name(), "cycles": cycles_json(&*e)}),
    ))
}
