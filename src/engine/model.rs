//! The golden-model backend of [`CryptoEngine`]: exactly the semantics the RTL engine implements,
//! computed with the model's algorithms.

use super::{CryptoEngine, EngineError, Outcome, Status};
use crate::algorithms::{self, nea2_in_place, nia::mac_eq, nia2};
use crate::keys::{CommandKeys, Key128};
use crate::messages::mac_input;
use crate::profile::{MAC_LEN, Profile, SecurityInputs};

/// Octets of the tag's frame buffer the engine addresses (RTL parameter ADDR_W = 12).
pub const FRAME_CAPACITY: usize = crate::profile::MAX_FRAME;

/// The golden model of the tag's crypto engine.
pub struct ModelEngine {
    profile: Profile,
    keys: Option<CommandKeys>,
    capacity: usize,
}

impl ModelEngine {
    /// A model engine for `profile` with no keys loaded and a frame buffer of [`FRAME_CAPACITY`]
    /// octets.
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            keys: None,
            capacity: FRAME_CAPACITY,
        }
    }

    /// The profile this engine follows.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    fn keys(&self) -> Result<&CommandKeys, EngineError> {
        self.keys.as_ref().ok_or(EngineError::NoKeys)
    }

    /// Common checks of unprotect/protect; returns the ciphering indication.
    fn check_frame(&self, frame: &[u8]) -> Result<Result<bool, Status>, EngineError> {
        self.keys()?;
        let l = &self.profile.layout;
        if frame.len() < l.min_message_len() || frame.len() > self.capacity {
            return Ok(Err(Status::BadLength));
        }
        let ind = frame[l.indication_offset];
        Ok(if ind == l.indication_ciphered {
            Ok(true)
        } else if ind == l.indication_null {
            Ok(false)
        } else {
            Err(Status::BadIndication)
        })
    }

    fn mac(
        &self,
        keys: &CommandKeys,
        inputs: SecurityInputs,
        frame: &[u8],
    ) -> Result<[u8; 4], EngineError> {
        let m = mac_input(&self.profile, frame);
        nia2(&keys.int, inputs, &m, m.len() * 8).map_err(|e| EngineError::Invalid(e.to_string()))
    }

    fn cipher_body(
        &self,
        keys: &CommandKeys,
        inputs: SecurityInputs,
        frame: &mut [u8],
    ) -> Result<(), EngineError> {
        let l = &self.profile.layout;
        let bo = l.body_offset();
        let blen = frame.len() - l.min_message_len();
        nea2_in_place(&keys.enc, inputs, &mut frame[bo..bo + blen], blen * 8)
            .map_err(|e| EngineError::Invalid(e.to_string()))
    }
}

fn rejected(status: Status) -> Outcome {
    Outcome {
        status,
        ciphered: false,
        mac: [0; 4],
    }
}

fn invalid(e: crate::Error) -> EngineError {
    EngineError::Invalid(e.to_string())
}

impl CryptoEngine for ModelEngine {
    fn name(&self) -> &'static str {
        "model"
    }

    fn load_keys(&mut self, enc: &Key128, int: &Key128) -> Result<(), EngineError> {
        self.keys = Some(CommandKeys {
            enc: enc.clone(),
            int: int.clone(),
        });
        Ok(())
    }

    fn zeroize(&mut self) -> Result<(), EngineError> {
        // CommandKeys' Key128 fields zeroize on drop.
        self.keys = None;
        Ok(())
    }

    fn aes_block(&mut self, key: &Key128, block: &[u8; 16]) -> Result<[u8; 16], EngineError> {
        Ok(algorithms::aes_block(key, block))
    }

    fn nea2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<Vec<u8>, EngineError> {
        let keys = self.keys()?;
        algorithms::nea2(&keys.enc, inputs, data, bits).map_err(invalid)
    }

    fn nia2(
        &mut self,
        inputs: SecurityInputs,
        data: &[u8],
        bits: usize,
    ) -> Result<[u8; 4], EngineError> {
        let keys = self.keys()?;
        nia2(&keys.int, inputs, data, bits).map_err(invalid)
    }

    fn unprotect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        let ciphered = match self.check_frame(frame)? {
            Ok(c) => c,
            Err(s) => return Ok(rejected(s)),
        };
        let keys = self.keys()?;
        let inputs = self.profile.request;
        let expected = self.mac(keys, inputs, frame)?;
        let mo = self.profile.layout.mac_offset(frame.len());
        let mut got = [0u8; 4];
        got.copy_from_slice(&frame[mo..mo + MAC_LEN]);
        if !mac_eq(&expected, &got) {
            return Ok(rejected(Status::MacFailure));
        }
        if ciphered {
            self.cipher_body(keys, inputs, frame)?;
        }
        Ok(Outcome {
            status: Status::Ok,
            ciphered,
            mac: [0; 4],
        })
    }

    fn protect(&mut self, frame: &mut [u8]) -> Result<Outcome, EngineError> {
        let ciphered = match self.check_frame(frame)? {
            Ok(c) => c,
            Err(s) => return Ok(rejected(s)),
        };
        let keys = self.keys()?;
        let inputs = self.profile.response;
        if ciphered {
            self.cipher_body(keys, inputs, frame)?;
        }
        let mac = self.mac(keys, inputs, frame)?;
        let mo = self.profile.layout.mac_offset(frame.len());
        frame[mo..mo + MAC_LEN].copy_from_slice(&mac);
        Ok(Outcome {
            status: Status::Ok,
            ciphered,
            mac,
        })
    }
}
