//! The golden-model backend of [`CryptoEngine`]: exactly the semantics the RTL engine implements,
//! computed with the model's algorithms.

use super::{CryptoEngine, EngineError, Outcome, Status};
use crate::algorithms::{self, nea2_in_place, nia::mac_eq, nia2};
use crate::keys::{CommandKeys, Key128, Key256, LongTermKey};
use crate::messages::mac_input;
use crate::profile::{MAC_LEN, Profile, SecurityInputs};

/// Octets of the tag's frame buffer the engine addresses (RTL parameter ADDR_W = 12).
pub const FRAME_CAPACITY: usize = crate::profile::MAX_FRAME;

/// The golden model of the tag's crypto engine.
pub struct ModelEngine {
    profile: Profile,
    keys: Option<CommandKeys>,
    capacity: usize,
    /// The tag's key store (K_AIoT), read by DERIVE only.
    key_store: Option<LongTermKey>,
}

impl ModelEngine {
    /// A model engine for `profile` with no keys loaded and a frame buffer of [`FRAME_CAPACITY`]
    /// octets.
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            keys: None,
            capacity: FRAME_CAPACITY,
            key_store: None,
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

    fn has_derive(&self) -> bool {
        true
    }

    fn set_key_store(&mut self, k: &LongTermKey) -> Result<(), EngineError> {
        self.key_store = Some(k.clone());
        Ok(())
    }

    fn derive(&mut self, n_aiotf: &[u8], n_dev: &[u8]) -> Result<(), EngineError> {
        let k = self
            .key_store
            .as_ref()
            .ok_or_else(|| EngineError::Invalid("DERIVE with no key store provisioned".into()))?;
        let kaiotf =
            crate::kdf::derive_kaiotf(&self.profile, k, n_aiotf, n_dev).map_err(invalid)?;
        let keys = crate::kdf::derive_command_keys(&self.profile, &kaiotf).map_err(invalid)?;
        self.keys = Some(keys);
        Ok(())
    }

    fn hash(&mut self, key: Option<&[u8]>, msg: &[u8]) -> Result<Key256, EngineError> {
        super::check_hash_args(key, msg, self.capacity)?;
        Ok(match key {
            Some(k) => crate::kdf::Kdf::new(k).hmac(msg),
            None => Key256::new(crate::kdf::sha256(msg)),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::LongTermKey;
    use proptest::prelude::*;

    #[test]
    fn derive_loads_the_keys_the_kdf_gives() {
        let p = Profile::default();
        let k = LongTermKey::from_slice(&[0x42; 32]).unwrap();
        let (na, nd) = (
            vec![1u8; p.kaiotf.n_aiotf_len],
            vec![2u8; p.kaiotf.n_dev_len],
        );
        let mut e = ModelEngine::new(p.clone());
        assert!(e.derive(&na, &nd).is_err(), "no key store yet");
        e.set_key_store(&k).unwrap();
        assert!(e.derive(&na[1..], &nd).is_err(), "wrong nonce length");
        e.derive(&na, &nd).unwrap();
        let kaiotf = crate::kdf::derive_kaiotf(&p, &k, &na, &nd).unwrap();
        let keys = crate::kdf::derive_command_keys(&p, &kaiotf).unwrap();
        assert_eq!(e.keys().unwrap(), &keys);
        e.zeroize().unwrap();
        assert!(matches!(e.keys(), Err(EngineError::NoKeys)));
    }

    #[test]
    fn hash_answers_the_kdf_vectors_and_refuses_what_the_engine_cannot_take() {
        let mut e = ModelEngine::new(Profile::default());
        for v in crate::vectors::kdf().unwrap() {
            let Some(fc) = v.fc else { continue };
            let ps: Vec<&[u8]> = v.params.iter().map(Vec::as_slice).collect();
            let s = crate::kdf::kdf_input(fc, &ps).unwrap();
            let d = e.hash(Some(&v.key), &s).unwrap();
            let got = if v.truncated {
                &d.expose()[16..]
            } else {
                &d.expose()[..]
            };
            assert_eq!(got, &v.expected[..], "{}", v.name);
        }
        assert!(matches!(
            e.hash(Some(&[0; 65]), b""),
            Err(EngineError::Invalid(_))
        ));
        assert!(matches!(
            e.hash(None, &vec![0; FRAME_CAPACITY + 1]),
            Err(EngineError::Capacity { .. })
        ));
        assert!(
            e.hash(Some(&[0; 64]), &vec![0; FRAME_CAPACITY - 64])
                .is_ok()
        );
    }

    proptest! {
        #[test]
        fn hash_equals_the_hmac_and_sha2_crates(key in proptest::collection::vec(any::<u8>(), 0..=64),
                                                msg in proptest::collection::vec(any::<u8>(), 0..300)) {
            use hmac::Mac;
            use sha2::Digest;
            let mut e = ModelEngine::new(Profile::default());
            let mut h = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
            h.update(&msg);
            let want: [u8; 32] = h.finalize().into_bytes().into();
            let got = e.hash(Some(&key), &msg).unwrap();
            prop_assert_eq!(got.expose(), &want);
            let want: [u8; 32] = sha2::Sha256::digest(&msg).into();
            let got = e.hash(None, &msg).unwrap();
            prop_assert_eq!(got.expose(), &want);
        }
    }
}
