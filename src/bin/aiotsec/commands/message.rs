//! Protected AIOT NAS messages: `protect`, `unprotect`, on the model or on the tag's engine.

use serde_json::{Value, json};

use aiotsec::engine::BackendKind;
use aiotsec::error::Error;
use aiotsec::hexutil::encode;
use aiotsec::kdf::derive_command_keys;
use aiotsec::keys::{CommandKeys, Key128, Key256};
use aiotsec::messages::{self, Command, CommandRequest, CommandResponse};
use aiotsec::profile::{Profile, SecurityInputs};
use aiotsec::roles;

use super::{command_of, hex_input, load_profile, open_engine};
use crate::args::{Dir, KeyArgs, OnOff, ProtectArgs, UnprotectArgs};
use crate::{Output, cycles_json, to_json};

/// The command keys: derived from `--kaiotf`, or given as `--enc-key` and `--int-key`.
fn command_keys(profile: &Profile, k: &KeyArgs) -> Result<CommandKeys, Error> {
    match (&k.kaiotf, &k.enc_key, &k.int_key) {
        (Some(ka), None, None) => derive_command_keys(profile, &Key256::from_hex(ka)?),
        (None, Some(e), Some(i)) => Ok(CommandKeys {
            enc: Key128::from_hex(e)?,
            int: Key128::from_hex(i)?,
        }),
        _ => Err(Error::Protocol(
            "give either --kaiotf, or both --enc-key and --int-key".into(),
        )),
    }
}

/// The profile's COUNT/BEARER/DIRECTION of a message in direction `d`.
fn inputs_of(profile: &Profile, d: Dir) -> SecurityInputs {
    match d {
        Dir::Request => profile.request,
        Dir::Response => profile.response,
    }
}

/// The plain message to protect: `--plain`, or the encoded `--command` (requests only).
fn plain_of(profile: &Profile, a: &ProtectArgs) -> Result<Vec<u8>, Error> {
    let given = hex_input("plain", a.plain.as_deref(), a.plain_file.as_deref(), false)?;
    match (given, a.dir) {
        (Some(p), _) => Ok(p),
        (None, Dir::Request) => CommandRequest {
            command: command_of(&a.cmd)?,
        }
        .encode(profile),
        (None, Dir::Response) => Err(Error::Protocol(
            "--dir response needs --plain (an encoded Command Response)".into(),
        )),
    }
}

/// Protect a Command Response on the tag's engine: the protected message and the cycle count.
fn protect_on_engine(
    profile: &Profile,
    ck: &CommandKeys,
    a: &ProtectArgs,
    plain: &[u8],
    on: bool,
) -> Result<(Vec<u8>, Value), Error> {
    if a.dir != Dir::Response {
        return Err(Error::Protocol(
            "the tag's engine protects Command Responses only: use --dir response".into(),
        ));
    }
    let mut e = open_engine(a.backend, &a.link, profile)?;
    let r = e
        .load_keys(&ck.enc, &ck.int)
        .map_err(Error::from)
        .and_then(|()| roles::protect_response(&mut *e, profile, plain, on));
    let c = cycles_json(&*e);
    let z = e.zeroize();
    let f = r?;
    z?;
    Ok((f, c))
}

pub fn protect(a: &ProtectArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let ck = command_keys(&profile, &a.keys)?;
    let plain = plain_of(&profile, a)?;
    let on = a.cipher == OnOff::On;
    let (msg, cycles) = match a.backend {
        BackendKind::Model => (
            messages::protect(&profile, &ck, inputs_of(&profile, a.dir), &plain, on)?,
            Value::Null,
        ),
        _ => protect_on_engine(&profile, &ck, a, &plain, on)?,
    };
    let h = encode(&msg);
    Ok(Output::new(
        h.clone(),
        json!({"message": h, "plain": encode(&plain), "ciphered": on,
               "backend": to_json(&a.backend), "cycles": cycles}),
    ))
}

/// Verify and decipher a Command Request on the tag's engine: the plain message, whether it was
/// ciphered, and the cycle count.
fn unprotect_on_engine(
    profile: &Profile,
    ck: &CommandKeys,
    a: &UnprotectArgs,
    msg: &[u8],
) -> Result<(Vec<u8>, bool, Value), Error> {
    if a.dir != Dir::Request {
        return Err(Error::Protocol(
            "the tag's engine unprotects Command Requests only: use --dir request".into(),
        ));
    }
    let mut e = open_engine(a.backend, &a.link, profile)?;
    let r = e
        .load_keys(&ck.enc, &ck.int)
        .map_err(Error::from)
        .and_then(|()| roles::unprotect_request(&mut *e, profile, msg));
    let c = cycles_json(&*e);
    let z = e.zeroize();
    let u = r?;
    z?;
    Ok((u.plain, u.ciphered, c))
}

/// The plain message decoded, in the fields' notation: a line for people (command name,
/// offset and length in decimal, data in hex) and the same fields as JSON (or why it cannot be
/// decoded).
fn decoded(profile: &Profile, dir: Dir, plain: &[u8]) -> (String, Value) {
    let d = match dir {
        Dir::Request => CommandRequest::decode(plain, profile).map(|r| {
            let text = match &r.command {
                Command::Read { offset, length } => {
                    format!("read offset={offset} length={length}")
                }
                Command::Write { offset, data } => format!(
                    "write offset={offset} length={} data={}",
                    data.len(),
                    encode(data)
                ),
                Command::Disable => "disable".to_string(),
            };
            (text, to_json(&r.command))
        }),
        Dir::Response => CommandResponse::decode(plain, profile).map(|r| {
            let text = format!(
                "response status={} length={} data={}",
                to_json(&r.status).as_str().unwrap_or("?"),
                r.data.len(),
                encode(&r.data)
            );
            (text, to_json(&r))
        }),
    };
    d.unwrap_or_else(|e| {
        let why = format!("undecodable: {e}");
        (format!("({why})"), json!({"error": why}))
    })
}

pub fn unprotect(a: &UnprotectArgs) -> Result<Output, Error> {
    let profile = load_profile(&a.common)?;
    let ck = command_keys(&profile, &a.keys)?;
    let msg = hex_input(
        "message",
        a.message.as_deref(),
        a.message_file.as_deref(),
        true,
    )?
    .unwrap_or_default();
    let backend = to_json(&a.backend);
    let r = match a.backend {
        BackendKind::Model => messages::unprotect(&profile, &ck, inputs_of(&profile, a.dir), &msg)
            .map(|u| (u.plain, u.ciphered, Value::Null)),
        _ => unprotect_on_engine(&profile, &ck, a, &msg),
    };
    let (plain, ciphered, cycles) = match r {
        Ok(x) => x,
        // a check that ran and failed: exit code 1, not an input error
        Err(e @ Error::Integrity(_)) => {
            return Ok(Output::failed_check(
                format!("unprotect: {e}"),
                json!({"verdict": "integrity-failure", "error": e.to_string(), "backend": backend}),
            ));
        }
        Err(e) => return Err(e),
    };
    let (d, dj) = decoded(&profile, a.dir, &plain);
    let h = encode(&plain);
    Ok(Output::new(
        format!("{h}\n{d}"),
        json!({"plain": h, "ciphered": ciphered, "decoded": dj, "backend": backend,
               "cycles": cycles}),
    ))
}
