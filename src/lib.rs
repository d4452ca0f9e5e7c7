//! aiotsec: golden model, RTL co-simulation and host tools for TS 33.369 clause 5.3.2
//! (protection of the AIOT NAS command sent to an Ambient IoT tag).
//!
//! Layers, top to bottom: `profile` -> `kdf`, `keys` -> `algorithms` -> `messages` ->
//! `roles` -> `procedure`; `engine` is the tag's crypto engine behind one trait with the model and
//! RTL backends; `cosim` checks any backend against the model.

pub mod algorithms;
pub mod engine;
pub mod error;
pub mod hexutil;
pub mod kdf;
pub mod keys;
pub mod messages;
pub mod procedure;
pub mod profile;
pub mod roles;
pub mod vectors;

#[cfg(test)]
mod testutil;

#[cfg(feature = "rtl")]
pub mod sim;

#[cfg(feature = "rtl")]
pub mod cosim;

pub use error::Error;
