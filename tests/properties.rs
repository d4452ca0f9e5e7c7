//! Property tests next to the known answers.

use aiotsec::algorithms::{aes_block, header64, nea2, nia2_bitwise, nia2_octets};
use aiotsec::keys::{CommandKeys, Key128};
use aiotsec::messages::{CommandRequest, CommandResponse, protect, split, unprotect};
use aiotsec::profile::{Profile, SecurityInputs};
use proptest::prelude::*;

fn inputs() -> impl Strategy<Value = SecurityInputs> {
    (any::<u32>(), 0u8..32, 0u8..2).prop_map(|(count, bearer, direction)| SecurityInputs {
        count,
        bearer,
        direction,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nea2_round_trip_any_bit_length(key in any::<[u8; 16]>(), i in inputs(),
                                      data in proptest::collection::vec(any::<u8>(), 0..300),
                                      cut in 0usize..8) {
        let bits = (data.len() * 8).saturating_sub(cut);
        let k = Key128::new(key);
        let ct = nea2(&k, i, &data, bits).unwrap();
        prop_assert_eq!(ct.len(), bits.div_ceil(8));
        let pt = nea2(&k, i, &ct, bits).unwrap();
        let mut expect = data[..bits.div_ceil(8)].to_vec();
        if bits % 8 != 0 { let n = expect.len(); expect[n - 1] &= 0xffu8 << (8 - bits % 8); }
        prop_assert_eq!(pt, expect);
        if bits % 8 != 0 { prop_assert_eq!(ct[ct.len() - 1] & !(0xffu8 << (8 - bits % 8)), 0); }
    }

    /// NEA2 (on the `ctr` crate) against the definition, block by block: keystream block i is
    /// AES(COUNT || BEARER || DIRECTION || 0^26 || i), any bit length.
    #[test]
    fn nea2_equals_counter_blocks(key in any::<[u8; 16]>(), i in inputs(),
                                  data in proptest::collection::vec(any::<u8>(), 0..300),
                                  cut in 0usize..8) {
        let bits = (data.len() * 8).saturating_sub(cut);
        let k = Key128::new(key);
        let n = bits.div_ceil(8);
        let mut expect = data[..n].to_vec();
        for (b, chunk) in expect.chunks_mut(16).enumerate() {
            let mut ctr = [0u8; 16];
            ctr[..8].copy_from_slice(&header64(&i));
            ctr[8..].copy_from_slice(&(b as u64).to_be_bytes());
            for (d, s) in chunk.iter_mut().zip(aes_block(&k, &ctr)) { *d ^= s; }
        }
        if bits % 8 != 0 { expect[n - 1] &= 0xffu8 << (8 - bits % 8); }
        prop_assert_eq!(nea2(&k, i, &data, bits).unwrap(), expect);
    }

    /// The NIA2 fast path against an independent oracle: RustCrypto's `Cmac<Aes128>` over
    /// COUNT || BEARER || DIRECTION || 0^26 || MESSAGE, truncated to 32 bits.
    #[test]
    fn nia2_fast_path_equals_cmac_crate(key in any::<[u8; 16]>(), i in inputs(),
                                        data in proptest::collection::vec(any::<u8>(), 0..300)) {
        use cmac::{Cmac, Mac};
        let mut m = <Cmac<aes::Aes128> as Mac>::new_from_slice(&key).unwrap();
        m.update(&header64(&i));
        m.update(&data);
        let tag = m.finalize().into_bytes();
        prop_assert_eq!(&nia2_octets(&Key128::new(key), i, &data).unwrap()[..], &tag[..4]);
    }

    /// The two-piece MAC (a message without its MAC field) equals the MAC of the joined pieces,
    /// wherever the cut falls.
    #[test]
    fn nia2_of_two_pieces_equals_joined(key in any::<[u8; 16]>(), i in inputs(),
                                        data in proptest::collection::vec(any::<u8>(), 0..100),
                                        cut in 0usize..100) {
        let k = aiotsec::algorithms::Nia2Key::new(&Key128::new(key));
        let cut = cut.min(data.len());
        prop_assert_eq!(k.mac_octets2(i, &data[..cut], &data[cut..]).unwrap(),
                        k.mac_octets(i, &data).unwrap());
    }

    #[test]
    fn nia2_fast_path_equals_bit_exact(key in any::<[u8; 16]>(), i in inputs(),
                                       data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let k = Key128::new(key);
        prop_assert_eq!(nia2_octets(&k, i, &data).unwrap(),
                        nia2_bitwise(&k, i, &data, data.len() * 8).unwrap());
    }

    #[test]
    fn nia2_ignores_bits_past_length(key in any::<[u8; 16]>(), i in inputs(),
                                     mut data in proptest::collection::vec(any::<u8>(), 1..64),
                                     cut in 1usize..8, junk in any::<u8>()) {
        let k = Key128::new(key);
        let bits = data.len() * 8 - cut;
        let a = nia2_bitwise(&k, i, &data, bits).unwrap();
        let n = data.len();
        data[n - 1] ^= junk & !(0xffu8 << cut.min(7)) & (0xff >> (8 - cut));
        prop_assert_eq!(a, nia2_bitwise(&k, i, &data, bits).unwrap());
    }

    #[test]
    fn decoders_never_panic(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let p = Profile::default();
        let _ = CommandRequest::decode(&b, &p);
        let _ = CommandResponse::decode(&b, &p);
        let _ = split(&p, &b);
        let keys = CommandKeys { enc: Key128::new([1; 16]), int: Key128::new([2; 16]) };
        prop_assert!(unprotect(&p, &keys, p.request, &b).is_err() || b.len() >= 6);
    }

    #[test]
    fn protect_unprotect_round_trip(plain in proptest::collection::vec(any::<u8>(), 0..200),
                                    cipher in any::<bool>(), ke in any::<[u8;16]>(), ki in any::<[u8;16]>()) {
        let p = Profile::default();
        let keys = CommandKeys { enc: Key128::new(ke), int: Key128::new(ki) };
        let m = protect(&p, &keys, p.request, &plain, cipher).unwrap();
        let u = unprotect(&p, &keys, p.request, &m).unwrap();
        prop_assert_eq!(u.plain, plain);
        prop_assert_eq!(u.ciphered, cipher);
    }

    #[test]
    fn any_single_bit_flip_is_detected(plain in proptest::collection::vec(any::<u8>(), 0..64),
                                       cipher in any::<bool>(), bit in any::<usize>()) {
        let p = Profile::default();
        let keys = CommandKeys { enc: Key128::new([3; 16]), int: Key128::new([4; 16]) };
        let mut m = protect(&p, &keys, p.request, &plain, cipher).unwrap();
        let b = bit % (m.len() * 8);
        m[b / 8] ^= 0x80 >> (b % 8);
        prop_assert!(unprotect(&p, &keys, p.request, &m).is_err());
    }
}

#[test]
fn request_and_response_never_share_a_keystream() {
    let p = Profile::default();
    assert_ne!(p.request, p.response);
    let k = Key128::new([9; 16]);
    let zeros = vec![0u8; 64];
    let a = nea2(&k, p.request, &zeros, 512).unwrap();
    let b = nea2(&k, p.response, &zeros, 512).unwrap();
    assert_ne!(a, b, "request and response keystreams must differ");
    // No 16-octet keystream block of one appears in the other.
    for x in a.chunks(16) {
        for y in b.chunks(16) {
            assert_ne!(x, y);
        }
    }
}
