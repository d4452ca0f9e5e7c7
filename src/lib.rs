//! aiotsec: golden model, RTL co-simulation and host tools for TS 33.369 clause 5.3.2
//! (protection of the AIOT NAS command sent to an Ambient IoT tag).
//!
//! Layers, top to bottom: `profile` -> `kdf`, `keys` -> `algorithms` -> `messages` ->
//! `roles` -> `procedure`; `engine` is the tag's crypto engine behind one trait with the model and
//! RTL backends; `cosim` checks any backend against the model.
//!
//! # Examples
//!
//! The TS 33.220 KDF and the key hierarchy (Annex A.4, provisional FC values), then an AIOT NAS
//! Command Request protected by the AIOTF and verified and deciphered on the tag side:
//!
//! ```
//! use aiotsec::kdf::derive_command_keys;
//! use aiotsec::keys::Key256;
//! use aiotsec::messages::{self, Command, CommandRequest};
//! use aiotsec::profile::Profile;
//!
//! let profile = Profile::default();
//! let kaiotf = Key256::new([0x42; 32]);
//! let keys = derive_command_keys(&profile, &kaiotf)?;
//! let plain = CommandRequest { command: Command::Read { offset: 0, length: 16 } }.encode(&profile)?;
//! let msg = messages::protect(&profile, &keys, profile.request, &plain, true)?;
//! let u = messages::unprotect(&profile, &keys, profile.request, &msg)?;
//! assert_eq!(u.plain, plain);
//! assert!(u.ciphered);
//! // one flipped bit anywhere and the 32-bit MAC rejects the message
//! let mut forged = msg.clone();
//! *forged.last_mut().unwrap() ^= 1;
//! assert!(messages::unprotect(&profile, &keys, profile.request, &forged).is_err());
//! # Ok::<(), aiotsec::Error>(())
//! ```
//!
//! 128-NEA2 and 128-NIA2 on the first official TS 33.401 test sets (read from
//! `../shared/vectors/`, not retyped), at their exact bit lengths:
//!
//! ```
//! use aiotsec::algorithms::{nea2, nia2};
//! use aiotsec::keys::Key128;
//! use aiotsec::vectors;
//!
//! let v = &vectors::nea2()?[0];
//! assert_eq!(nea2(&Key128::new(v.key), v.inputs, &v.plaintext, v.bits)?, v.ciphertext);
//! let w = &vectors::nia2()?[0];
//! assert_eq!(nia2(&Key128::new(w.key), w.inputs, &w.message, w.bits)?, w.mac);
//! # Ok::<(), aiotsec::Error>(())
//! ```
//!
//! The tag's crypto engine behind its trait, here on the model backend (`--backend rtl` runs
//! the same calls on the Verilated RTL): load the command keys, unprotect a request in the
//! frame buffer, protect a response.
//!
//! ```
//! use aiotsec::engine::{BackendKind, CryptoEngine, Status, open};
//! use aiotsec::kdf::derive_command_keys;
//! use aiotsec::keys::Key256;
//! use aiotsec::messages::{self, Command, CommandRequest};
//! use aiotsec::profile::Profile;
//!
//! let profile = Profile::default();
//! let keys = derive_command_keys(&profile, &Key256::new([7; 32]))?;
//! let plain = CommandRequest { command: Command::Disable }.encode(&profile)?;
//! let mut frame = messages::protect(&profile, &keys, profile.request, &plain, true)?;
//! let mut engine = open(BackendKind::Model, &profile)?;
//! engine.load_keys(&keys.enc, &keys.int)?;
//! let out = engine.unprotect(&mut frame)?;
//! assert_eq!(out.status, Status::Ok);
//! assert_eq!(messages::body(&profile, &frame), &plain[..]);
//! engine.zeroize()?;
//! # Ok::<(), aiotsec::Error>(())
//! ```

#![warn(missing_docs)]

pub mod algorithms;
pub mod analysis;
pub mod engine;
pub mod error;
pub mod hexutil;
pub mod kdf;
pub mod keys;
pub mod messages;
pub mod procedure;
pub mod profile;
pub mod report;
pub mod roles;
pub mod vectors;

#[cfg(test)]
mod testutil;

#[cfg(feature = "rtl")]
pub mod sim;

#[cfg(feature = "rtl")]
pub mod cosim;

pub use error::Error;
