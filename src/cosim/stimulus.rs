//! Random stimulus: keys, security inputs, data and frames, all drawn from the runner's one
//! random source (so a seed gives the same transactions in the same order).

use rand::{Rng, RngCore};

use super::runner::Runner;
use super::txn::KeyPair;
use crate::algorithms;
use crate::keys::{CommandKeys, Key128};
use crate::messages::mac_input;
use crate::profile::{MAC_LEN, SecurityInputs};
use crate::sim::params;

impl Runner<'_> {
    /// A random 128-bit key (or AES block).
    pub(super) fn key(&mut self) -> [u8; 16] {
        let mut k = [0u8; 16];
        self.rng.fill_bytes(&mut k);
        k
    }

    /// `len` random octets (a long-term key, an HMAC key).
    pub(super) fn ltk(&mut self, len: usize) -> Vec<u8> {
        let mut k = vec![0u8; len];
        self.rng.fill_bytes(&mut k);
        k
    }

    /// A random key pair (K_enc first).
    pub(super) fn keys(&mut self) -> KeyPair {
        (self.key(), self.key())
    }

    /// Random COUNT, BEARER and DIRECTION.
    pub(super) fn inputs(&mut self) -> SecurityInputs {
        SecurityInputs {
            count: self.rng.next_u32(),
            bearer: self.rng.gen_range(0..32),
            direction: self.rng.gen_range(0..2),
        }
    }

    /// Random data of `bits` bits (whole octets drawn).
    pub(super) fn data(&mut self, bits: usize) -> Vec<u8> {
        let mut d = vec![0u8; bits.div_ceil(8)];
        self.rng.fill_bytes(&mut d);
        d
    }

    /// A valid protected Command Request (as the AIOTF would send it) with a random body.
    pub(super) fn request_frame(
        &mut self,
        keys: &KeyPair,
        body_len: usize,
        cipher: bool,
    ) -> Vec<u8> {
        let l = self.profile.layout.clone();
        let n = l.min_message_len() + body_len;
        let mut f = vec![0u8; n];
        self.rng.fill_bytes(&mut f);
        f[l.epd_offset] = l.epd;
        f[l.indication_offset] = if cipher {
            l.indication_ciphered
        } else {
            l.indication_null
        };
        let k = CommandKeys {
            enc: Key128::new(keys.0),
            int: Key128::new(keys.1),
        };
        let bo = l.body_offset();
        if cipher {
            let _ = algorithms::nea2_in_place(
                &k.enc,
                self.profile.request,
                &mut f[bo..bo + body_len],
                body_len * 8,
            );
        }
        let m = mac_input(&self.profile, &f);
        let mac = algorithms::nia2(&k.int, self.profile.request, &m, m.len() * 8).unwrap_or([0; 4]);
        let mo = l.mac_offset(n);
        f[mo..mo + MAC_LEN].copy_from_slice(&mac);
        f
    }

    /// A Command Response ready to protect (MAC field garbage).
    pub(super) fn response_frame(&mut self, body_len: usize, cipher: bool) -> Vec<u8> {
        let l = self.profile.layout.clone();
        let mut f = vec![0u8; l.min_message_len() + body_len];
        self.rng.fill_bytes(&mut f);
        f[l.epd_offset] = l.epd;
        f[l.indication_offset] = if cipher {
            l.indication_ciphered
        } else {
            l.indication_null
        };
        f
    }

    /// The longest body the RTL engine's buffer holds.
    pub(super) fn max_body(&self) -> usize {
        params::BUFFER_LEN - self.profile.layout.min_message_len()
    }
}
