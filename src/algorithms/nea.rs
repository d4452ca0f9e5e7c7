//! 128-NEA2 (AES-128 in CTR mode) and NEA0.

use ctr::cipher::{InnerIvInit, StreamCipher};
use ctr::{Ctr128BE, CtrCore, flavors};

use super::{check_inputs, cipher, header64, last_octet_mask, octets_for};
use crate::error::Error;
use crate::keys::Key128;
use crate::profile::SecurityInputs;

/// 128-NEA2 in place over the first `bits` bits of `buf` (which must hold exactly ceil(bits/8)
/// octets or more; octets past ceil(bits/8) are left alone). The unused trailing bits of the last
/// octet come out zero.
pub fn nea2_in_place(
    key: &Key128,
    inputs: SecurityInputs,
    buf: &mut [u8],
    bits: usize,
) -> Result<(), Error> {
    nea2_in_place_with(&cipher(key), inputs, buf, bits)
}

/// [`nea2_in_place`] with a prepared AES key schedule. The octets run through the RustCrypto
/// `ctr` crate: the counter block is COUNT || BEARER || DIRECTION || 0^26 followed by a 64-bit
/// block counter from 0, which `Ctr128BE` increments as one 128-bit big-endian number (the same
/// blocks: the low 64 bits never wrap within a message); the bit length and the last-octet mask
/// are ours.
pub fn nea2_in_place_with(
    c: &aes::Aes128Enc,
    inputs: SecurityInputs,
    buf: &mut [u8],
    bits: usize,
) -> Result<(), Error> {
    check_inputs(&inputs)?;
    let n = octets_for(bits, buf)?;
    let mut iv = [0u8; 16];
    iv[..8].copy_from_slice(&header64(&inputs));
    let core = CtrCore::<&aes::Aes128Enc, flavors::Ctr128BE>::inner_iv_init(c, &iv.into());
    Ctr128BE::from_core(core).apply_keystream(&mut buf[..n]);
    if n > 0 {
        buf[n - 1] &= last_octet_mask(bits);
    }
    Ok(())
}

/// 128-NEA2 over the first `bits` bits of `data`; returns ceil(bits/8) octets.
pub fn nea2(
    key: &Key128,
    inputs: SecurityInputs,
    data: &[u8],
    bits: usize,
) -> Result<Vec<u8>, Error> {
    let n = octets_for(bits, data)?;
    let mut out = data[..n].to_vec();
    nea2_in_place(key, inputs, &mut out, bits)?;
    Ok(out)
}

/// NEA0 (null ciphering): the data itself, trailing bits zeroed.
pub fn nea0(data: &[u8], bits: usize) -> Result<Vec<u8>, Error> {
    let n = octets_for(bits, data)?;
    let mut out = data[..n].to_vec();
    if n > 0 {
        out[n - 1] &= last_octet_mask(bits);
    }
    Ok(out)
}
