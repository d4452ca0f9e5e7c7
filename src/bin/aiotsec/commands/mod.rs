//! One function per subcommand, grouped by what they work on. Each turns its arguments into
//! library inputs, calls the library, and says what to print ([`crate::Output`]); the protocol
//! itself is the library's.

mod alg;
#[cfg(feature = "rtl")]
mod cosim;
mod keys;
mod message;
mod procedure;

pub use alg::{aes, kdf, nea2, nia2};
#[cfg(feature = "rtl")]
pub use cosim::cosim;
pub use keys::derive;
pub use message::{protect, unprotect};
pub use procedure::{procedure, profile};

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
