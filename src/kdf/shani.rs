//! SHA-256 with the x86 SHA extensions, two independent computations interleaved.
//!
//! `sha256rnds2` is latency bound (one chain of 32 dependent instructions per block), so two
//! unrelated blocks run in nearly the time of one: the HMAC pad states of a key, and the two A.4
//! derivations under one KAIOTF, are such pairs. The outer block of an HMAC is built from the
//! inner digest in registers (its message words are the inner state words), so the digest never
//! goes through memory.
//!
//! Register layout (the SHA extensions' own): `abef` holds A, B, E, F and `cdgh` holds C, D, G, H
//! (high lane first); a message group holds W[4g..4g+4] with W[4g] in lane 0.

use core::arch::x86_64::*;

use super::sha256::{BLOCK, K};

/// Whether this CPU has what the functions below need (checked at run time, cached by std).
pub fn available() -> bool {
    std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("sse4.1")
        && std::arch::is_x86_feature_detected!("ssse3")
}

/// Byte swap of each 32-bit lane (message words are big endian).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn bswap_mask() -> __m128i {
    _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203)
}

/// A chaining value in the SHA registers' layout.
#[derive(Clone, Copy)]
struct State {
    abef: __m128i,
    cdgh: __m128i,
}

#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn load_state(s: &[u32; 8]) -> State {
    // SAFETY: two unaligned 16-octet loads from a 32-octet array.
    let (abcd, efgh) = unsafe {
        (
            _mm_loadu_si128(s.as_ptr().cast()),
            _mm_loadu_si128(s.as_ptr().add(4).cast()),
        )
    };
    from_words(abcd, efgh)
}

/// (A B C D), (E F G H) with A in lane 0 -> the rounds' layout.
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn from_words(abcd: __m128i, efgh: __m128i) -> State {
    let badc = _mm_shuffle_epi32(abcd, 0xb1);
    let hgfe = _mm_shuffle_epi32(efgh, 0x1b);
    State {
        abef: _mm_alignr_epi8(badc, hgfe, 8),
        cdgh: _mm_blend_epi16(hgfe, badc, 0xf0),
    }
}

/// The rounds' layout -> (A B C D), (E F G H) with A in lane 0.
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn to_words(s: State) -> (__m128i, __m128i) {
    let feba = _mm_shuffle_epi32(s.abef, 0x1b);
    let dchg = _mm_shuffle_epi32(s.cdgh, 0xb1);
    (
        _mm_blend_epi16(feba, dchg, 0xf0),
        _mm_alignr_epi8(dchg, feba, 8),
    )
}

#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn load_block(b: &[u8; BLOCK]) -> [__m128i; 4] {
    let m = bswap_mask();
    // SAFETY: four unaligned 16-octet loads from a 64-octet array.
    unsafe {
        [0, 1, 2, 3].map(|i| _mm_shuffle_epi8(_mm_loadu_si128(b.as_ptr().add(16 * i).cast()), m))
    }
}

/// Message group g >= 4 from the four before it (FIPS 180-4 6.2.2 step 1, four words at once).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn next_group(w: &[__m128i; 4]) -> __m128i {
    let t = _mm_sha256msg1_epu32(w[0], w[1]);
    let t = _mm_add_epi32(t, _mm_alignr_epi8(w[3], w[2], 4));
    _mm_sha256msg2_epu32(t, w[3])
}

/// Four rounds with message group `w` and constants K[4g..4g+4].
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn four_rounds(s: &mut State, w: __m128i, g: usize) {
    let k = &K[4 * g..4 * g + 4];
    let k = _mm_set_epi32(k[3] as i32, k[2] as i32, k[1] as i32, k[0] as i32);
    let wk = _mm_add_epi32(w, k);
    s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, wk);
    s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, _mm_shuffle_epi32(wk, 0x0e));
}

/// N compressions side by side: `s[i]` absorbs the block whose message groups are `w[i]`.
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn compress_lanes<const N: usize>(s: &mut [State; N], mut w: [[__m128i; 4]; N]) {
    let saved = *s;
    for g in 0..16 {
        for lane in 0..N {
            let cur = if g < 4 {
                w[lane][g]
            } else {
                next_group(&w[lane])
            };
            if g >= 4 {
                w[lane] = [w[lane][1], w[lane][2], w[lane][3], cur];
            }
            four_rounds(&mut s[lane], cur, g);
        }
    }
    for lane in 0..N {
        s[lane].abef = _mm_add_epi32(s[lane].abef, saved[lane].abef);
        s[lane].cdgh = _mm_add_epi32(s[lane].cdgh, saved[lane].cdgh);
    }
}

/// Two independent single-block compressions: `states[i]` absorbs `blocks[i]`.
///
/// # Safety
/// The CPU must have the SHA extensions, SSSE3 and SSE4.1 ([`available`]).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn compress2(states: [&mut [u32; 8]; 2], blocks: [&[u8; BLOCK]; 2]) {
    let mut s = [load_state(states[0]), load_state(states[1])];
    compress_lanes(&mut s, [load_block(blocks[0]), load_block(blocks[1])]);
    for (out, st) in states.into_iter().zip(s) {
        let (abcd, efgh) = to_words(st);
        // SAFETY: two unaligned 16-octet stores into a 32-octet array.
        unsafe {
            _mm_storeu_si128(out.as_mut_ptr().cast(), abcd);
            _mm_storeu_si128(out.as_mut_ptr().add(4).cast(), efgh);
        }
    }
}

/// N HMAC-SHA-256 values under one key, each of a message that fits one padded block:
/// `blocks[i]` is the padded inner block (message, 0x80, zeros, bit length of 64 + its length);
/// `inner` / `outer` are the chaining values after K xor ipad / K xor opad.
///
/// # Safety
/// The CPU must have the SHA extensions, SSSE3 and SSE4.1 ([`available`]).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn hmac_one_block<const N: usize>(
    inner: &[u32; 8],
    outer: &[u32; 8],
    blocks: [&[u8; BLOCK]; N],
) -> [[u8; 32]; N] {
    let mut s = [load_state(inner); N];
    compress_lanes(&mut s, blocks.map(|b| load_block(b)));
    // Outer block: the inner digest (its words are the state words), 0x80, zeros, 768 bits.
    let pad = _mm_set_epi32(0, 0, 0, 0x8000_0000u32 as i32);
    let len = _mm_set_epi32(((BLOCK + 32) * 8) as i32, 0, 0, 0);
    let w = s.map(|st| {
        let (abcd, efgh) = to_words(st);
        [abcd, efgh, pad, len]
    });
    s = [load_state(outer); N];
    compress_lanes(&mut s, w);
    let m = bswap_mask();
    s.map(|st| {
        let (abcd, efgh) = to_words(st);
        let mut out = [0u8; 32];
        // SAFETY: two unaligned 16-octet stores into a 32-octet array.
        unsafe {
            _mm_storeu_si128(out.as_mut_ptr().cast(), _mm_shuffle_epi8(abcd, m));
            _mm_storeu_si128(out.as_mut_ptr().add(16).cast(), _mm_shuffle_epi8(efgh, m));
        }
        out
    })
}
