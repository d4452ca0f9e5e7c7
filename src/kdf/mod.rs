//! TS 33.220 Annex B.2 key derivation function and the key hierarchy of TS 33.369 (Annex A.3/A.4,
//! provisional values from the [`Profile`]).
//!
//! `S = FC || P0 || L0 || P1 || L1 || ...`, `L_i` = length of `P_i` in octets, two octets big
//! endian; output = HMAC-SHA-256(Key, S). A 128-bit algorithm key is the 128 least significant bits
//! (octets 16..31) of the output.

use zeroize::{Zeroize, ZeroizeOnDrop};

mod sha256;
#[cfg(target_arch = "x86_64")]
mod shani;

pub use sha256::sha256;
use sha256::{BLOCK, Block, SHA256_IV, Sha256Stream, digest_bytes};

use crate::error::Error;
use crate::keys::{CommandKeys, Key128, Key256, LongTermKey};
use crate::profile::Profile;

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

/// HMAC-SHA-256 (RFC 2104) keyed once, then evaluated for several inputs: the SHA-256 chaining
/// values after `K xor ipad` and `K xor opad` are computed once and reused, so one KDF call costs
/// two compressions when S fits one block (the two A.4 calls share them). The chaining values
/// are equivalent to the key and are wiped on drop, like every intermediate value.
///
/// With the x86 SHA extensions, independent compressions run in pairs (the two pads; the two
/// A.4 derivations, [`Kdf::derive_pair`]): the rounds are latency bound, so a pair costs about
/// as much as one.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Kdf {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Kdf {
    /// Key the KDF. HMAC accepts keys of any length (longer than 64 octets: hashed first).
    pub fn new(key: &[u8]) -> Self {
        let mut k = Block::default();
        if key.len() > BLOCK {
            let mut h = sha256(key);
            k.bytes_mut()[..32].copy_from_slice(&h);
            h.zeroize();
        } else {
            k.bytes_mut()[..key.len()].copy_from_slice(key);
        }
        let (mut ipad, mut opad) = (Block::default(), Block::default());
        for ((i, o), x) in ipad
            .bytes_mut()
            .iter_mut()
            .zip(opad.bytes_mut())
            .zip(k.bytes_mut())
        {
            *i = *x ^ 0x36;
            *o = *x ^ 0x5c;
        }
        let mut kdf = Self {
            inner: SHA256_IV,
            outer: SHA256_IV,
        };
        sha256::compress2(
            [&mut kdf.inner, &mut kdf.outer],
            [ipad.bytes_mut(), opad.bytes_mut()],
        );
        kdf
    }

    /// HMAC of what `feed` gives the inner hash (any length).
    fn mac<E>(&self, feed: impl FnOnce(&mut Sha256Stream) -> Result<(), E>) -> Result<Key256, E> {
        let mut inner = Sha256Stream::resume(self.inner, BLOCK as u64);
        feed(&mut inner)?;
        Ok(self.outer_hash(inner.finish()))
    }

    /// The outer hash of HMAC over the inner digest `ih` (wiped).
    fn outer_hash(&self, mut ih: [u8; 32]) -> Key256 {
        let mut outer = Sha256Stream::resume(self.outer, BLOCK as u64);
        outer.update(&ih);
        ih.zeroize();
        key256(outer.finish())
    }

    /// The 256-bit output for FC and parameters. S is fed to the MAC piece by piece (the same
    /// octets as [`kdf_input`], without assembling them); an S of at most 55 octets (every S of
    /// the key hierarchy) takes the one-block path: exactly two compressions.
    pub fn derive(&self, fc: u8, params: &[&[u8]]) -> Result<Key256, Error> {
        let Some(mut blk) = inner_block(fc, params)? else {
            return self.mac(|h| pieces(fc, params, |b| h.update(b)));
        };
        #[cfg(target_arch = "x86_64")]
        if shani::available() {
            // SAFETY: `available` checked the CPU features `hmac_one_block` is compiled for.
            let [out] =
                unsafe { shani::hmac_one_block(&self.inner, &self.outer, [blk.bytes_mut()]) };
            return Ok(key256(out));
        }
        Ok(self.finish_one_block(&mut blk))
    }

    /// Two derivations under this key, `[derive(fc, a), derive(fc, b)]`, run side by side where
    /// the CPU allows (the two A.4 calls of a KAIOTF).
    pub fn derive_pair(&self, fc: u8, a: &[&[u8]], b: &[&[u8]]) -> Result<[Key256; 2], Error> {
        #[cfg(target_arch = "x86_64")]
        if shani::available()
            && let (Some(mut ba), Some(mut bb)) = (inner_block(fc, a)?, inner_block(fc, b)?)
        {
            // SAFETY: `available` checked the CPU features `hmac_one_block` is compiled for.
            let out = unsafe {
                shani::hmac_one_block(&self.inner, &self.outer, [ba.bytes_mut(), bb.bytes_mut()])
            };
            return Ok(out.map(key256));
        }
        Ok([self.derive(fc, a)?, self.derive(fc, b)?])
    }

    /// HMAC of a padded inner block ([`inner_block`]): one inner compression, then the outer
    /// hash (one more).
    fn finish_one_block(&self, blk: &mut Block) -> Key256 {
        let mut st = self.inner;
        Sha256Stream::compress(&mut st, blk.bytes_mut());
        let ih = digest_bytes(&st);
        st.zeroize();
        self.outer_hash(ih)
    }

    /// Plain HMAC-SHA-256 of `data` under this key (RFC 4231 answers; the KDF is HMAC over S).
    pub fn hmac(&self, data: &[u8]) -> Key256 {
        let Ok(k) = self.mac::<core::convert::Infallible>(|h| {
            h.update(data);
            Ok(())
        });
        k
    }
}

/// S = FC || P0 || L0 || ... padded as the inner hash's single block after the ipad block
/// (S, 0x80, zeros, the bit length of 64 + |S|), or `None` when S does not fit (over 55 octets).
fn inner_block(fc: u8, params: &[&[u8]]) -> Result<Option<Block>, Error> {
    let s_len = params
        .iter()
        .fold(1usize, |n, p| n.saturating_add(p.len()).saturating_add(2));
    if s_len > BLOCK - 9 {
        return Ok(None);
    }
    let mut blk = Block::default();
    let b = blk.bytes_mut();
    let mut at = 0;
    pieces(fc, params, |x| {
        b[at..at + x.len()].copy_from_slice(x);
        at += x.len();
    })?;
    b[at] = 0x80;
    b[BLOCK - 8..].copy_from_slice(&(((BLOCK + at) as u64) * 8).to_be_bytes());
    Ok(Some(blk))
}

/// A 256-bit output as a key, its loose copy wiped.
fn key256(mut out: [u8; 32]) -> Key256 {
    let key = Key256::new(out);
    out.zeroize();
    key
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
    let [enc, int] = kdf.derive_pair(
        c.fc,
        &[&[c.enc_distinguisher], &[a.nea2]],
        &[&[c.int_distinguisher], &[a.nia2]],
    )?;
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
    fn iv_is_fips_180_4() {
        // The digest of the empty string pins IV and padding together (oracle: the sha2 crate).
        use sha2::Digest;
        assert_eq!(sha256(b"")[..], sha2::Sha256::digest(b"")[..]);
    }

    proptest::proptest! {
        #[test]
        fn sha256_matches_the_sha2_crate(data in proptest::collection::vec(0u8.., 0..300), cut in 0usize..300) {
            use sha2::Digest;
            let cut = cut.min(data.len());
            let mut s = Sha256Stream::resume(SHA256_IV, 0);
            s.update(&data[..cut]);
            s.update(&data[cut..]);
            proptest::prop_assert_eq!(&s.finish()[..], &sha2::Sha256::digest(&data)[..]);
        }

        #[test]
        fn hmac_matches_the_hmac_crate(key in proptest::collection::vec(0u8.., 0..150), data in proptest::collection::vec(0u8.., 0..200)) {
            use hmac::{Hmac, Mac};
            let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
            m.update(&data);
            let oracle: [u8; 32] = m.finalize().into_bytes().into();
            let ours = Kdf::new(&key).hmac(&data);
            proptest::prop_assert_eq!(ours.expose(), &oracle);
        }
    }

    fn oracle_hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().into()
    }

    fn params() -> impl proptest::strategy::Strategy<Value = Vec<Vec<u8>>> {
        proptest::collection::vec(proptest::collection::vec(0u8.., 0..40), 0..4)
    }

    proptest::proptest! {
        /// derive (one-block path for short S, streaming otherwise) and derive_pair (the SHA
        /// extensions side by side where present) against the hmac crate over kdf_input.
        #[test]
        fn derive_and_pair_match_the_hmac_crate(key in proptest::collection::vec(0u8.., 0..80),
                                                fc in 0u8.., a in params(), b in params()) {
            let a: Vec<&[u8]> = a.iter().map(|p| p.as_slice()).collect();
            let b: Vec<&[u8]> = b.iter().map(|p| p.as_slice()).collect();
            let k = Kdf::new(&key);
            let wa = oracle_hmac(&key, &kdf_input(fc, &a).unwrap());
            let wb = oracle_hmac(&key, &kdf_input(fc, &b).unwrap());
            let d = k.derive(fc, &a).unwrap();
            proptest::prop_assert_eq!(d.expose(), &wa);
            // the portable one-block path (what runs without the SHA extensions)
            if let Some(mut blk) = inner_block(fc, &a).unwrap() {
                let d = k.finish_one_block(&mut blk);
                proptest::prop_assert_eq!(d.expose(), &wa);
            }
            let [pa, pb] = k.derive_pair(fc, &a, &b).unwrap();
            proptest::prop_assert_eq!(pa.expose(), &wa);
            proptest::prop_assert_eq!(pb.expose(), &wb);
        }
    }

    #[test]
    fn dropped_kdf_and_stream_hold_no_key_state() {
        use crate::testutil::bytes_after_drop;
        let k = Kdf::new(&[0xa7; 32]);
        assert!(k.inner.iter().chain(&k.outer).any(|w| *w != 0));
        assert!(bytes_after_drop(k).iter().all(|b| *b == 0));
        let mut s = Sha256Stream::resume([0x1234_5678; 8], 64);
        s.update(&[0x5a; 70]);
        assert!(bytes_after_drop(s).iter().all(|b| *b == 0));
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
