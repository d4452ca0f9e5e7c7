//! 128-NIA2: AES-128-CMAC (NIST SP 800-38B) over COUNT || BEARER || DIRECTION || 0^26 || MESSAGE,
//! truncated to 32 bits. Two implementations: a bit-exact one for any length (reference) and an
//! octet fast path that streams byte-aligned messages without copying; they are tested against
//! each other.

use aes::Aes128;
use aes::cipher::{BlockEncrypt, generic_array::GenericArray};

use super::{check_inputs, cipher, header64, last_octet_mask, octets_for};
use crate::error::Error;
use crate::keys::Key128;
use crate::profile::SecurityInputs;

#[inline]
fn enc(c: &Aes128, x: u128) -> u128 {
    let mut b = GenericArray::from(x.to_be_bytes());
    c.encrypt_block(&mut b);
    u128::from_be_bytes(b.into())
}

#[inline]
fn dbl(x: u128) -> u128 {
    (x << 1) ^ if x >> 127 == 1 { 0x87 } else { 0 }
}

#[inline]
fn be(b: &[u8]) -> u128 {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    u128::from_be_bytes(a)
}

/// AES-CMAC over a bit string `m` of `nbits` bits (bits past `nbits` in `m` are ignored); the
/// full 128-bit tag. Reference implementation, bit-exact for any length including 0.
pub fn cmac_bits(c: &Aes128, m: &[u8], nbits: usize) -> u128 {
    let k1 = dbl(enc(c, 0));
    let k2 = dbl(k1);
    let nblocks = nbits.div_ceil(128).max(1);
    let mut x: u128 = 0;
    for i in 0..nblocks - 1 {
        x = enc(c, x ^ be(&m[16 * i..16 * i + 16]));
    }
    // Last block: whole (K1) or bit-padded with 1 0* (K2).
    let rem = nbits - 128 * (nblocks - 1);
    let mut last = [0u8; 16];
    let start = 16 * (nblocks - 1);
    let avail = rem.div_ceil(8);
    last[..avail].copy_from_slice(&m[start..start + avail]);
    let mut l = u128::from_be_bytes(last);
    if rem == 128 {
        l ^= k1;
    } else {
        // keep the first `rem` bits, then a single 1 bit
        let keep = if rem == 0 { 0 } else { !0u128 << (128 - rem) };
        l = (l & keep) | (1u128 << (127 - rem));
        l ^= k2;
    }
    enc(c, x ^ l)
}

/// 128-NIA2, bit-exact reference: builds the whole MAC input as a bit string and runs
/// [`cmac_bits`].
pub fn nia2_bitwise(
    key: &Key128,
    inputs: SecurityInputs,
    data: &[u8],
    bits: usize,
) -> Result<[u8; 4], Error> {
    check_inputs(&inputs)?;
    let n = octets_for(bits, data)?;
    let mut m = Vec::with_capacity(8 + n);
    m.extend_from_slice(&header64(&inputs));
    m.extend_from_slice(&data[..n]);
    if n > 0 {
        m[8 + n - 1] &= last_octet_mask(bits);
    }
    let t = cmac_bits(&cipher(key), &m, 64 + bits);
    Ok(top32(t))
}

fn top32(t: u128) -> [u8; 4] {
    ((t >> 96) as u32).to_be_bytes()
}

/// 128-NIA2 octet fast path: `data` is a byte-aligned message (8 * data.len() bits), streamed in
/// place without building the MAC input.
pub fn nia2_octets(key: &Key128, inputs: SecurityInputs, data: &[u8]) -> Result<[u8; 4], Error> {
    check_inputs(&inputs)?;
    let c = cipher(key);
    Ok(top32(cmac_prefixed(&c, &header64(&inputs), data)))
}

/// CMAC over `hdr || data` (hdr is 8 octets), byte aligned, streaming.
fn cmac_prefixed(c: &Aes128, hdr: &[u8; 8], data: &[u8]) -> u128 {
    let total = 8 + data.len();
    let nblocks = total.div_ceil(16);
    let h = u64::from_be_bytes(*hdr) as u128;
    // Block i (0-based) of hdr||data covers data[16i-8 .. 16i+8].
    let block = |i: usize| -> u128 {
        if i == 0 {
            let mut lo = [0u8; 8];
            let k = data.len().min(8);
            lo[..k].copy_from_slice(&data[..k]);
            (h << 64) | u64::from_be_bytes(lo) as u128
        } else {
            be(&data[16 * i - 8..16 * i + 8])
        }
    };
    let mut x: u128 = 0;
    for i in 0..nblocks - 1 {
        x = enc(c, x ^ block(i));
    }
    let k1 = dbl(enc(c, 0));
    let rem = total - 16 * (nblocks - 1);
    let last = if rem == 16 {
        block(nblocks - 1) ^ k1
    } else {
        let mut lb = [0u8; 16];
        let start = 16 * (nblocks - 1);
        for (j, slot) in lb.iter_mut().enumerate().take(rem) {
            let pos = start + j;
            *slot = if pos < 8 { hdr[pos] } else { data[pos - 8] };
        }
        lb[rem] = 0x80;
        u128::from_be_bytes(lb) ^ dbl(k1)
    };
    enc(c, x ^ last)
}

/// 128-NIA2 over the first `bits` bits of `data`: the octet fast path when `bits` is a multiple
/// of 8, the bit-exact path otherwise.
pub fn nia2(
    key: &Key128,
    inputs: SecurityInputs,
    data: &[u8],
    bits: usize,
) -> Result<[u8; 4], Error> {
    if bits % 8 == 0 {
        let n = octets_for(bits, data)?;
        nia2_octets(key, inputs, &data[..n])
    } else {
        nia2_bitwise(key, inputs, data, bits)
    }
}

/// Constant-time comparison of two MACs.
pub fn mac_eq(a: &[u8; 4], b: &[u8; 4]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}
