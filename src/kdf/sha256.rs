//! SHA-256 (FIPS 180-4) for the KDF's HMAC: the constants computed from their definitions, a
//! streaming hash over the sha2 crate's compression function, and the block type the HMAC pads
//! and the one-block path use. Every value here that can hold key material wipes itself on drop.

use sha2::compress256;
use sha2::digest::generic_array::GenericArray;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// SHA-256 initial hash value (FIPS 180-4 5.3.3): the first 32 bits of the fractional parts of
/// the square roots of the first eight primes, computed here rather than typed.
pub(super) const SHA256_IV: [u32; 8] = {
    const PRIMES: [u128; 8] = [2, 3, 5, 7, 11, 13, 17, 19];
    let mut iv = [0u32; 8];
    let mut i = 0;
    while i < 8 {
        // floor(sqrt(p) * 2^32) mod 2^32 = floor(sqrt(p * 2^64)) mod 2^32
        iv[i] = (PRIMES[i] << 64).isqrt() as u32;
        i += 1;
    }
    iv
};

/// SHA-256 round constants (FIPS 180-4 4.2.2): the first 32 bits of the fractional parts of
/// the cube roots of the first 64 primes, computed here rather than typed.
pub(super) const K: [u32; 64] = {
    let mut k = [0u32; 64];
    let (mut n, mut p) = (0, 2u128);
    while n < 64 {
        let mut d = 2;
        let mut prime = true;
        while d * d <= p {
            if p % d == 0 {
                prime = false;
            }
            d += 1;
        }
        if prime {
            // floor(cbrt(p) * 2^32) mod 2^32 = floor(cbrt(p * 2^96)) mod 2^32 (binary search)
            let x = p << 96;
            let (mut lo, mut hi) = (0u128, 1u128 << 36);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if mid * mid * mid <= x {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            k[n] = lo as u32;
            n += 1;
        }
        p += 1;
    }
    k
};

/// SHA-256 block size in octets.
pub(super) const BLOCK: usize = 64;

/// A SHA-256 computation in progress over the sha2 crate's compression function (SHA-NI when the
/// CPU has it). Holds secret-derived chaining values and input: wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(super) struct Sha256Stream {
    state: [u32; 8],
    buf: [u8; BLOCK],
    /// Octets waiting in `buf`.
    fill: usize,
    /// Octets absorbed so far, the chained prefix included.
    total: u64,
}

impl Sha256Stream {
    /// Continue from a chaining value after `total` octets (a multiple of the block size).
    pub(super) fn resume(state: [u32; 8], total: u64) -> Self {
        Self {
            state,
            buf: [0; BLOCK],
            fill: 0,
            total,
        }
    }

    pub(super) fn compress(state: &mut [u32; 8], block: &[u8]) {
        compress256(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }

    pub(super) fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.fill > 0 {
            let take = data.len().min(BLOCK - self.fill);
            self.buf[self.fill..self.fill + take].copy_from_slice(&data[..take]);
            self.fill += take;
            data = &data[take..];
            if self.fill < BLOCK {
                return;
            }
            Self::compress(&mut self.state, &self.buf);
            self.fill = 0;
        }
        let mut blocks = data.chunks_exact(BLOCK);
        for b in &mut blocks {
            Self::compress(&mut self.state, b);
        }
        let rest = blocks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.fill = rest.len();
    }

    /// Pad (FIPS 180-4 5.1.1) and return the digest.
    pub(super) fn finish(mut self) -> [u8; 32] {
        let bits = self.total.wrapping_mul(8);
        let n = self.fill;
        self.buf[n] = 0x80;
        self.buf[n + 1..].fill(0);
        if n + 1 > BLOCK - 8 {
            Self::compress(&mut self.state, &self.buf);
            self.buf.fill(0);
        }
        self.buf[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        Self::compress(&mut self.state, &self.buf);
        digest_bytes(&self.state)
    }
}

/// The digest of a final chaining value: its words, big endian.
pub(super) fn digest_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// A 64-octet block kept as words, so that wiping it takes eight stores.
#[derive(Default, Zeroize, ZeroizeOnDrop)]
pub(super) struct Block([u64; BLOCK / 8]);

impl Block {
    pub(super) fn bytes_mut(&mut self) -> &mut [u8; BLOCK] {
        // SAFETY: [u64; 8] and [u8; 64] have the same size, u8 has alignment 1, and every bit
        // pattern is valid for both; the borrow of `self` covers the returned reference.
        unsafe { &mut *self.0.as_mut_ptr().cast::<[u8; BLOCK]>() }
    }
}

/// SHA-256 of `data` (FIPS 180-4; used for HMAC keys longer than a block, and by the model
/// engine's HASH).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut s = Sha256Stream::resume(SHA256_IV, 0);
    s.update(data);
    s.finish()
}

/// Two independent single-block compressions (`states[i]` absorbs `blocks[i]`), side by side
/// with the SHA extensions when the CPU has them.
pub(super) fn compress2(states: [&mut [u32; 8]; 2], blocks: [&[u8; BLOCK]; 2]) {
    #[cfg(target_arch = "x86_64")]
    if super::shani::available() {
        // SAFETY: `available` checked the CPU features `compress2` is compiled for.
        unsafe { super::shani::compress2(states, blocks) };
        return;
    }
    for (s, b) in states.into_iter().zip(blocks) {
        Sha256Stream::compress(s, b);
    }
}
