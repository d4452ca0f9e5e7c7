//! 128-NIA2: AES-128-CMAC (NIST SP 800-38B) over COUNT || BEARER || DIRECTION || 0^26 || MESSAGE,
//! truncated to 32 bits. Two implementations: a bit-exact one for any length (reference) and an
//! octet fast path that streams byte-aligned messages without copying; they are tested against
//! each other.

use aes::Aes128Enc as Aes128;
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

/// A prepared 128-NIA2 key: the AES key schedule and the CMAC subkeys K1/K2, computed once and
/// reused for every MAC under this key (one command round MACs a request and a response).
pub struct Nia2Key {
    backend: Backend,
    k1: u128,
    k2: u128,
}

impl Drop for Nia2Key {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.k1.zeroize();
        self.k2.zeroize();
    }
}

enum Backend {
    #[cfg(target_arch = "x86_64")]
    // Boxed so the round keys (the first is the key itself) are not copied around by moves;
    // they zeroize on drop.
    Ni(Box<ni::RoundKeys>),
    Soft(Box<Aes128>),
}

impl Backend {
    fn chain(&self, has_first: bool, first: u128, middle: &[u8], last: u128) -> u128 {
        match self {
            #[cfg(target_arch = "x86_64")]
            Backend::Ni(rk) => rk.cbc_mac(has_first, first, middle, last),
            Backend::Soft(c) => {
                let mut x: u128 = 0;
                if has_first {
                    x = enc(c, first);
                }
                for b in middle.chunks_exact(16) {
                    x = enc(c, x ^ be(b));
                }
                enc(c, x ^ last)
            }
        }
    }
}

impl Nia2Key {
    /// Prepare `key`: the AES-128 key schedule (AES-NI round keys when the CPU has them) and the
    /// subkeys K1, K2 of RFC 4493 section 2.3.
    pub fn new(key: &Key128) -> Self {
        #[cfg(target_arch = "x86_64")]
        let backend = match ni::RoundKeys::new(key) {
            Some(rk) => Backend::Ni(Box::new(rk)),
            None => Backend::Soft(Box::new(cipher(key))),
        };
        #[cfg(not(target_arch = "x86_64"))]
        let backend = Backend::Soft(Box::new(cipher(key)));
        let l = backend.chain(false, 0, &[], 0);
        let k1 = dbl(l);
        Self {
            backend,
            k1,
            k2: dbl(k1),
        }
    }

    /// 128-NIA2 over a byte-aligned message (8 * data.len() bits).
    pub fn mac_octets(&self, inputs: SecurityInputs, data: &[u8]) -> Result<[u8; 4], Error> {
        check_inputs(&inputs)?;
        Ok(top32(self.cmac_prefixed(&header64(&inputs), data)))
    }

    /// 128-NIA2 over the byte-aligned message `head || tail`, without assembling it when `head`
    /// is at most 8 octets or `tail` is empty (a protected message without its MAC field: the
    /// clear part, then the ciphered part).
    pub fn mac_octets2(
        &self,
        inputs: SecurityInputs,
        head: &[u8],
        tail: &[u8],
    ) -> Result<[u8; 4], Error> {
        check_inputs(&inputs)?;
        let hdr = header64(&inputs);
        let t = if tail.is_empty() {
            self.cmac_prefixed(&hdr, head)
        } else if head.len() <= 8 {
            let mut prefix = [0u8; 16];
            prefix[..8].copy_from_slice(&hdr);
            prefix[8..8 + head.len()].copy_from_slice(head);
            self.cmac_prefixed(&prefix[..8 + head.len()], tail)
        } else {
            self.cmac_prefixed(&hdr, &[head, tail].concat())
        };
        Ok(top32(t))
    }

    /// CMAC over `prefix || data` (`prefix` at most one block), byte aligned, streaming the data
    /// without a copy: only the first and the last block are gathered.
    fn cmac_prefixed(&self, prefix: &[u8], data: &[u8]) -> u128 {
        let p = prefix.len().min(16);
        // Octets start .. start + n of prefix || data, as the head of a block.
        let gather = |start: usize, n: usize| {
            let mut b = [0u8; 16];
            let from_prefix = p.saturating_sub(start).min(n);
            if from_prefix > 0 {
                b[..from_prefix].copy_from_slice(&prefix[start..start + from_prefix]);
            }
            let d = start + from_prefix - p;
            b[from_prefix..n].copy_from_slice(&data[d..d + n - from_prefix]);
            b
        };
        let total = p + data.len();
        let nblocks = total.div_ceil(16).max(1);
        let start = 16 * (nblocks - 1);
        let rem = total - start;
        // Last block: whole (K1) or padded with 1 0* (K2).
        let mut lb = gather(start, rem);
        let last = if rem == 16 {
            u128::from_be_bytes(lb) ^ self.k1
        } else {
            lb[rem] = 0x80;
            u128::from_be_bytes(lb) ^ self.k2
        };
        let first = if nblocks > 1 {
            u128::from_be_bytes(gather(0, 16))
        } else {
            0
        };
        // Middle blocks 1 .. nblocks-2 are whole slices of data.
        let middle = if nblocks > 2 {
            &data[16 - p..start - p]
        } else {
            &data[..0]
        };
        self.backend.chain(nblocks > 1, first, middle, last)
    }
}

#[cfg(target_arch = "x86_64")]
mod ni {
    //! AES-NI CBC-MAC chain with the round keys held in registers (CMAC is latency bound; the
    //! generic cipher reloads its round keys for every block).
    use core::arch::x86_64::*;

    use crate::keys::Key128;

    pub struct RoundKeys([__m128i; 11]);

    impl RoundKeys {
        pub fn new(key: &Key128) -> Option<Self> {
            if std::arch::is_x86_feature_detected!("aes")
                && std::arch::is_x86_feature_detected!("sse2")
            {
                // SAFETY: the CPU supports AES-NI and SSE2 (checked just above).
                Some(Self(unsafe { expand(key.expose()) }))
            } else {
                None
            }
        }

        pub fn cbc_mac(&self, has_first: bool, first: u128, middle: &[u8], last: u128) -> u128 {
            // SAFETY: a RoundKeys exists only when AES-NI and SSE2 were detected.
            unsafe { chain(&self.0, has_first, first, middle, last) }
        }
    }

    impl Drop for RoundKeys {
        fn drop(&mut self) {
            for k in self.0.iter_mut() {
                // SAFETY: writing zero to owned SSE registers/memory; volatile so it is not elided.
                unsafe { core::ptr::write_volatile(k, _mm_setzero_si128()) };
            }
        }
    }

    macro_rules! expand_round {
        ($k:expr, $rcon:expr) => {{
            let t = _mm_aeskeygenassist_si128($k, $rcon);
            let t = _mm_shuffle_epi32(t, 0xff);
            let mut k = $k;
            k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
            k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
            k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
            _mm_xor_si128(k, t)
        }};
    }

    #[target_feature(enable = "aes,sse2")]
    unsafe fn expand(key: &[u8; 16]) -> [__m128i; 11] {
        // SAFETY: unaligned 16-octet load from a 16-octet array.
        let k0 = unsafe { _mm_loadu_si128(key.as_ptr() as *const __m128i) };
        let k1 = expand_round!(k0, 0x01);
        let k2 = expand_round!(k1, 0x02);
        let k3 = expand_round!(k2, 0x04);
        let k4 = expand_round!(k3, 0x08);
        let k5 = expand_round!(k4, 0x10);
        let k6 = expand_round!(k5, 0x20);
        let k7 = expand_round!(k6, 0x40);
        let k8 = expand_round!(k7, 0x80);
        let k9 = expand_round!(k8, 0x1b);
        let k10 = expand_round!(k9, 0x36);
        [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10]
    }

    #[inline(always)]
    fn from_u128(x: u128) -> __m128i {
        // AES-NI works on the memory byte order (FIPS byte 0 first).
        let b = x.to_be_bytes();
        // SAFETY: unaligned 16-octet load from a 16-octet array; SSE2 is baseline on x86_64.
        unsafe { _mm_loadu_si128(b.as_ptr() as *const __m128i) }
    }

    #[inline(always)]
    fn to_u128(x: __m128i) -> u128 {
        let mut b = [0u8; 16];
        // SAFETY: unaligned 16-octet store into a 16-octet array.
        unsafe { _mm_storeu_si128(b.as_mut_ptr() as *mut __m128i, x) };
        u128::from_be_bytes(b)
    }

    #[target_feature(enable = "aes,sse2")]
    unsafe fn chain(
        rk: &[__m128i; 11],
        has_first: bool,
        first: u128,
        middle: &[u8],
        last: u128,
    ) -> u128 {
        let e = |mut s: __m128i| {
            s = _mm_xor_si128(s, rk[0]);
            for k in &rk[1..10] {
                s = _mm_aesenc_si128(s, *k);
            }
            _mm_aesenclast_si128(s, rk[10])
        };
        let mut x = _mm_setzero_si128();
        if has_first {
            x = e(from_u128(first));
        }
        for b in middle.chunks_exact(16) {
            // SAFETY: `b` is exactly 16 octets.
            let m = unsafe { _mm_loadu_si128(b.as_ptr() as *const __m128i) };
            x = e(_mm_xor_si128(x, m));
        }
        to_u128(e(_mm_xor_si128(x, from_u128(last))))
    }
}

/// 128-NIA2 octet fast path: `data` is a byte-aligned message (8 * data.len() bits), streamed in
/// place without building the MAC input.
pub fn nia2_octets(key: &Key128, inputs: SecurityInputs, data: &[u8]) -> Result<[u8; 4], Error> {
    Nia2Key::new(key).mac_octets(inputs, data)
}

/// 128-NIA2 over the first `bits` bits of `data`: the octet fast path when `bits` is a multiple
/// of 8, the bit-exact path otherwise.
pub fn nia2(
    key: &Key128,
    inputs: SecurityInputs,
    data: &[u8],
    bits: usize,
) -> Result<[u8; 4], Error> {
    if bits.is_multiple_of(8) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{bytes_after_drop, bytes_of};

    fn holds(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn dropped_nia2_key_holds_no_subkey_or_round_key() {
        let key = Key128::new([0x3c; 16]);
        let k = Nia2Key::new(&key);
        let (k1, k2) = (k.k1.to_ne_bytes(), k.k2.to_ne_bytes());
        assert!(holds(&bytes_of(&k), &k1));
        let after = bytes_after_drop(k);
        assert!(!holds(&after, &k1) && !holds(&after, &k2));
        #[cfg(target_arch = "x86_64")]
        if let Some(rk) = ni::RoundKeys::new(&key) {
            assert!(bytes_after_drop(rk).iter().all(|b| *b == 0));
        }
    }

    #[test]
    fn dropped_aes_schedule_holds_no_key() {
        // The AES key schedule of the aes crate (its `zeroize` feature): round key 0 is the key.
        // Its run-time dispatched type is a union of the AES-NI schedule (176 octets) and the
        // software one (704): with AES-NI the bytes past the live schedule were never written,
        // so a move carries whatever that stack held before (in a debug build, copies of the
        // key that earlier calls in the same thread left there, which no destructor can wipe).
        // The check therefore runs first thing on a thread of its own.
        std::thread::spawn(|| {
            let key = Key128::new([0x3c; 16]);
            let c = cipher(&key);
            assert!(holds(&bytes_of(&c), key.expose()), "round key 0 is the key");
            assert!(!holds(&bytes_after_drop(c), key.expose()));
        })
        .join()
        .expect("the key schedule is wiped on drop");
    }
}
