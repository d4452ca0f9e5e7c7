//! 128-NEA2 (AES-128 in CTR mode) and NEA0.

use aes::cipher::{BlockEncrypt, generic_array::GenericArray};

use super::{check_inputs, cipher, header64, last_octet_mask, octets_for};
use crate::error::Error;
use crate::keys::Key128;
use crate::profile::SecurityInputs;

/// Blocks encrypted per batch (lets AES-NI pipeline 8+ blocks).
const BATCH: usize = 16;

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

/// [`nea2_in_place`] with a prepared AES key schedule.
pub fn nea2_in_place_with(
    c: &aes::Aes128Enc,
    inputs: SecurityInputs,
    buf: &mut [u8],
    bits: usize,
) -> Result<(), Error> {
    check_inputs(&inputs)?;
    let n = octets_for(bits, buf)?;
    let hdr = header64(&inputs);
    let mut ctr: u64 = 0;
    let mut blocks = [GenericArray::<u8, aes::cipher::consts::U16>::default(); BATCH];
    for chunk in buf[..n].chunks_mut(16 * BATCH) {
        let nb = chunk.len().div_ceil(16);
        for b in blocks.iter_mut().take(nb) {
            b[..8].copy_from_slice(&hdr);
            b[8..].copy_from_slice(&ctr.to_be_bytes());
            ctr = ctr.wrapping_add(1);
        }
        c.encrypt_blocks(&mut blocks[..nb]);
        for (d, ks) in chunk.chunks_mut(16).zip(blocks.iter()) {
            xor_into(d, &ks[..d.len()]);
        }
    }
    if n > 0 {
        buf[n - 1] &= last_octet_mask(bits);
    }
    Ok(())
}

#[inline]
fn xor_into(d: &mut [u8], k: &[u8]) {
    if d.len() == 16 && k.len() == 16 {
        let mut a = [0u8; 16];
        a.copy_from_slice(d);
        let mut b = [0u8; 16];
        b.copy_from_slice(k);
        let x = u128::from_ne_bytes(a) ^ u128::from_ne_bytes(b);
        d.copy_from_slice(&x.to_ne_bytes());
    } else {
        for (x, y) in d.iter_mut().zip(k) {
            *x ^= *y;
        }
    }
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
