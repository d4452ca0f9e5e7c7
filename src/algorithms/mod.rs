//! 128-NEA2, 128-NIA2 and NEA0, bit-exact for any bit length (TS 33.401 Annex B / TS 33.501 D.2).
//!
//! Bit strings are MSB first: bit 0 of a message is bit 7 of its first octet. Outputs carry
//! ceil(bits/8) octets with the unused trailing bits zero.

use aes::Aes128Enc as Aes128;
use aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};

use crate::error::Error;
use crate::keys::Key128;
use crate::profile::SecurityInputs;

pub mod nea;
pub mod nia;

pub use nea::{nea0, nea2, nea2_in_place, nea2_in_place_with};
pub use nia::{Nia2Key, nia2, nia2_bitwise, nia2_octets};

/// An AES-128 encryption key schedule (encryption only).
pub fn cipher(key: &Key128) -> Aes128 {
    Aes128::new(GenericArray::from_slice(key.expose()))
}

/// One AES-128 block encryption (FIPS-197), the primitive under NEA2 and NIA2.
pub fn aes_block(key: &Key128, block: &[u8; 16]) -> [u8; 16] {
    let c = cipher(key);
    let mut b = GenericArray::clone_from_slice(block);
    c.encrypt_block(&mut b);
    b.into()
}

/// Reject BEARER > 31 and DIRECTION > 1 (never mask silently).
pub fn check_inputs(inputs: &SecurityInputs) -> Result<(), Error> {
    if inputs.bearer > 31 {
        return Err(Error::Bearer(inputs.bearer));
    }
    if inputs.direction > 1 {
        return Err(Error::Direction(inputs.direction));
    }
    Ok(())
}

/// The first 64 bits shared by the NEA2 counter block and the NIA2 MAC input:
/// COUNT || BEARER || DIRECTION || 0^26.
pub fn header64(inputs: &SecurityInputs) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[..4].copy_from_slice(&inputs.count.to_be_bytes());
    h[4] = (inputs.bearer << 3) | (inputs.direction << 2);
    h
}

/// Octets needed for `bits` bits, checked against the data given.
pub fn octets_for(bits: usize, data: &[u8]) -> Result<usize, Error> {
    let needed = bits.div_ceil(8);
    if data.len() < needed {
        return Err(Error::BitLength {
            bits,
            needed,
            got: data.len(),
        });
    }
    Ok(needed)
}

/// Mask of the valid bits in the last octet of a `bits`-bit string (0xff when byte aligned).
pub fn last_octet_mask(bits: usize) -> u8 {
    match bits % 8 {
        0 => 0xff,
        r => 0xffu8 << (8 - r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_packs_bearer_and_direction() {
        let h = header64(&SecurityInputs {
            count: 0x398a59b4,
            bearer: 0x15,
            direction: 1,
        });
        assert_eq!(h, [0x39, 0x8a, 0x59, 0xb4, 0xac, 0, 0, 0]);
    }

    #[test]
    fn out_of_range_inputs_are_errors() {
        let mut i = SecurityInputs {
            count: 0,
            bearer: 32,
            direction: 0,
        };
        assert_eq!(check_inputs(&i), Err(Error::Bearer(32)));
        i.bearer = 31;
        i.direction = 2;
        assert_eq!(check_inputs(&i), Err(Error::Direction(2)));
    }

    #[test]
    fn masks() {
        assert_eq!(last_octet_mask(8), 0xff);
        assert_eq!(last_octet_mask(253), 0xf8);
        assert_eq!(last_octet_mask(1), 0x80);
    }
}
