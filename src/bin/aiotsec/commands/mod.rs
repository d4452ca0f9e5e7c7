//! One function per subcommand, grouped by what they work on. Each turns its arguments into
//! library inputs, calls the library, and says what to print ([`crate::Output`]); the protocol
//! itself is the library's.

mod alg;
#[cfg(feature = "rtl")]
mod cosim;
mod keys;
#[cfg(feature = "rtl")]
mod leakage;
mod message;
mod procedure;
#[cfg(feature = "report")]
mod report;

pub use alg::{aes, kdf, nea2, nia2};
#[cfg(feature = "rtl")]
pub use cosim::{cosim, cosim_merge};
pub use keys::derive;
#[cfg(feature = "rtl")]
pub use leakage::{energy, leakage};
pub use message::{protect, unprotect};
pub use procedure::{procedure, profile};
#[cfg(feature = "report")]
pub use report::report;

use std::io::Read;
use std::path::Path;

use aiotsec::engine::{self, BackendKind, CryptoEngine};
use aiotsec::error::Error;
use aiotsec::hexutil::decode;
use aiotsec::messages::Command;
use aiotsec::profile::Profile;

use crate::args::{CmdArgs, CommandKind, Common};

/// The hex value of `--name`; the error names the flag.
fn hex_arg(name: &str, s: &str) -> Result<Vec<u8>, Error> {
    decode(s).map_err(|e| Error::Hex(format!("--{name}: {e}")))
}

/// Most hex text read from standard input or a file (a message is at most a few hundred
/// octets; this leaves room for whitespace and line breaks).
const MAX_HEX_INPUT: u64 = 1 << 20;

/// Hex input of `--name` given as a value, a file (`--name-file`), or standard input (the value
/// `-`, or absent when `stdin_if_absent`). Reads at most [`MAX_HEX_INPUT`] octets.
fn hex_input(
    name: &str,
    value: Option<&str>,
    file: Option<&Path>,
    stdin_if_absent: bool,
) -> Result<Option<Vec<u8>>, Error> {
    let text = match (value, file) {
        (Some(v), None) if v != "-" => return hex_arg(name, v).map(Some),
        (None, Some(f)) => {
            let fh = std::fs::File::open(f)
                .map_err(|e| Error::Protocol(format!("--{name}-file {}: {e}", f.display())))?;
            read_bounded(name, fh)?
        }
        (Some(_), None) => read_bounded(name, std::io::stdin().lock())?,
        (None, None) if stdin_if_absent => read_bounded(name, std::io::stdin().lock())?,
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(Error::Protocol(format!(
                "give --{name} or --{name}-file, not both"
            )));
        }
    };
    hex_arg(name, &text).map(Some)
}

/// At most [`MAX_HEX_INPUT`] octets of UTF-8 text from `r`.
fn read_bounded(name: &str, r: impl Read) -> Result<String, Error> {
    let mut buf = Vec::new();
    r.take(MAX_HEX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Protocol(format!("--{name}: cannot read the input: {e}")))?;
    if buf.len() as u64 > MAX_HEX_INPUT {
        return Err(Error::Protocol(format!(
            "--{name}: input longer than {MAX_HEX_INPUT} octets"
        )));
    }
    String::from_utf8(buf).map_err(|_| Error::Hex(format!("--{name}: input is not text")))
}

/// `--profile` given to a command that uses no profile: refused, not ignored.
fn no_profile(common: &Common, command: &str, why: &str) -> Result<(), Error> {
    match &common.profile {
        Some(_) => Err(Error::Usage(format!(
            "--profile does not apply to {command}: {why}"
        ))),
        None => Ok(()),
    }
}

/// The profile of `--profile` (merged over the default), or the default.
fn load_profile(common: &Common) -> Result<Profile, Error> {
    Profile::load_or_default(common.profile.as_deref())
}

fn open_engine(kind: BackendKind, profile: &Profile) -> Result<Box<dyn CryptoEngine>, Error> {
    Ok(engine::open(kind, profile)?)
}

/// The command of `--command`, `--offset`, `--length`, `--data`.
fn command_of(c: &CmdArgs) -> Result<Command, Error> {
    Ok(match c.command {
        CommandKind::Read => Command::Read {
            offset: c.offset,
            length: c.length,
        },
        CommandKind::Write => Command::Write {
            offset: c.offset,
            data: hex_arg("data", &c.data)?,
        },
        CommandKind::Disable => Command::Disable,
    })
}
