//! TS 33.220 Annex B.2 key derivation function and the key hierarchy of TS 33.369 (Annex A.3/A.4,
//! provisional values from the [`Profile`]).
//!
//! `S = FC || P0 || L0 || P1 || L1 || ...`, `L_i` = length of `P_i` in octets, two octets big
//! endian; output = HMAC-SHA-256(Key, S). A 128-bit algorithm key is the 128 least significant bits
//! (octets 16..31) of the output.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use crate::error::Error;
use crate::keys::{CommandKeys, Key128, Key256, LongTermKey};
use crate::profile::Profile;

type HmacSha256 = Hmac<Sha256>;

/// Feed the pieces of S = FC || P0 || L0 || P1 || L1 ... to `out`, in order.
fn pieces(fc: u8, params: &[&[u8]], mut out: impl FnMut(&[u8])) -> Result<(), Error> {
    out(&[fc]);
    for (index, p) in params.iter().enumerate() {
        let len = u16::try_from(p.len()).map_err(|_| Error::KdfParamTooLong {
            index,
            len: p.len(),
        })?;
        out(p);
        out(&len.to_be_bytes());
    }
    Ok(())
}

/// Build the KDF input string S.
pub fn kdf_input(fc: u8, params: &[&[u8]]) -> Result<Vec<u8>, Error> {
    let mut s = Vec::with_capacity(1 + params.iter().map(|p| p.len() + 2).sum::<usize>());
    pieces(fc, params, |b| s.extend_from_slice(b))?;
    Ok(s)
}

/// A KDF keyed once, then evaluated for several inputs (the HMAC pads are hashed only once).
pub struct Kdf {
    mac: HmacSha256,
}

impl Kdf {
    /// Key the KDF. HMAC accepts keys of any length.
    pub fn new(key: &[u8]) -> Self {
        // `new_from_slice` only fails for fixed-size-key MACs; HMAC takes any length.
        let mac = match <HmacSha256 as Mac>::new_from_slice(key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        Self { mac }
    }

    /// The 256-bit output for FC and parameters. S is fed to the MAC piece by piece (the same
    /// octets as [`kdf_input`], without assembling them).
    pub fn derive(&self, fc: u8, params: &[&[u8]]) -> Result<Key256, Error> {
        let mut m = self.mac.clone();
        pieces(fc, params, |b| m.update(b))?;
        let mut out: [u8; 32] = m.finalize().into_bytes().into();
        let key = Key256::new(out);
        out.zeroize();
        Ok(key)
    }
}

/// One-shot KDF: `HMAC-SHA-256(key, S)`.
pub fn kdf(key: &[u8], fc: u8, params: &[&[u8]]) -> Result<Key256, Error> {
    Kdf::new(key).derive(fc, params)
}

/// The 128 least significant bits of a 256-bit KDF output.
pub fn truncate128(k: &Key256) -> Key128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(&k.expose()[16..32]);
    let key = Key128::new(b);
    b.zeroize();
    key
}

/// Annex A.3 (provisional): KAIOTF from the long-term key and the two fresh nonces.
pub fn derive_kaiotf(
    profile: &Profile,
    k: &LongTermKey,
    n_aiotf: &[u8],
    n_dev: &[u8],
) -> Result<Key256, Error> {
    let p = &profile.kaiotf;
    if n_aiotf.len() != p.n_aiotf_len {
        return Err(Error::Protocol(format!(
            "N_AIOTF is {} octets, the profile says {}",
            n_aiotf.len(),
            p.n_aiotf_len
        )));
    }
    if n_dev.len() != p.n_dev_len {
        return Err(Error::Protocol(format!(
            "N_DEV is {} octets, the profile says {}",
            n_dev.len(),
            p.n_dev_len
        )));
    }
    kdf(k.expose(), p.fc, &[n_aiotf, n_dev])
}

/// Annex A.4 (provisional, after TS 33.501 A.8): KCommand_enc and KCommand_int from KAIOTF.
pub fn derive_command_keys(profile: &Profile, kaiotf: &Key256) -> Result<CommandKeys, Error> {
    let c = &profile.command_keys;
    let a = &profile.algorithms;
    let kdf = Kdf::new(kaiotf.expose());
    let enc = kdf.derive(c.fc, &[&[c.enc_distinguisher], &[a.nea2]])?;
    let int = kdf.derive(c.fc, &[&[c.int_distinguisher], &[a.nia2]])?;
    Ok(CommandKeys {
        enc: truncate128(&enc),
        int: truncate128(&int),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_string_layout() {
        let s = kdf_input(0x69, &[&[0x03], &[0x02]]).unwrap();
        assert_eq!(s, vec![0x69, 0x03, 0x00, 0x01, 0x02, 0x00, 0x01]);
        assert_eq!(kdf_input(0x10, &[]).unwrap(), vec![0x10]);
    }

    #[test]
    fn oversized_parameter_is_an_error() {
        let big = vec![0u8; 65536];
        assert!(matches!(
            kdf_input(1, &[&[1], &big]),
            Err(Error::KdfParamTooLong { index: 1, .. })
        ));
    }

    #[test]
    fn enc_and_int_keys_differ() {
        let p = Profile::default();
        let k = derive_command_keys(&p, &Key256::new([7; 32])).unwrap();
        assert_ne!(k.enc, k.int);
    }

    #[test]
    fn nonce_lengths_are_checked() {
        let p = Profile::default();
        let k = LongTermKey::from_slice(&[1; 16]).unwrap();
        assert!(derive_kaiotf(&p, &k, &[0; 3], &[0; 8]).is_err());
        assert!(derive_kaiotf(&p, &k, &[0; 16], &[0; 9]).is_err());
        assert!(derive_kaiotf(&p, &k, &[0; 16], &[0; 8]).is_ok());
    }
}
