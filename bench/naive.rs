//! The same AIOTF command round composed naively from RustCrypto crates, the way their
//! documentation shows each one: a fresh `Hmac<Sha256>` per A.4 call, a fresh `Ctr128BE<Aes128>`
//! and `Cmac<Aes128>` per operation, the MAC input assembled in a vector. Same framing (the
//! library's layout), same octets out: checked against ours before the measurement.

use aes::Aes128;
use cmac::Cmac;
use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use aiotsec::messages::lay_out;
use aiotsec::profile::{MAC_LEN, Profile, SecurityInputs};

type Ctr = ctr::Ctr128BE<Aes128>;

fn kdf128(key: &[u8], s: &[u8]) -> [u8; 16] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    m.update(s);
    let out = m.finalize().into_bytes();
    out[16..32].try_into().expect("32-octet output")
}

fn iv(i: SecurityInputs) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..4].copy_from_slice(&i.count.to_be_bytes());
    iv[4] = (i.bearer << 3) | (i.direction << 2);
    iv
}

fn nia2(key: &[u8; 16], i: SecurityInputs, msg: &[u8]) -> [u8; 4] {
    let mut m = <Cmac<Aes128> as cmac::Mac>::new_from_slice(key).expect("16-octet key");
    m.update(&iv(i)[..8]);
    m.update(msg);
    m.finalize().into_bytes()[..4].try_into().expect("4 octets")
}

fn mac_input(p: &Profile, msg: &[u8]) -> Vec<u8> {
    let mo = p.layout.mac_offset(msg.len());
    [&msg[..mo], &msg[mo + MAC_LEN..]].concat()
}

/// Derive both keys, protect the request, verify and decipher the response.
pub fn round(
    p: &Profile,
    kaiotf: &[u8; 32],
    req_plain: &[u8],
    response: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let c = &p.command_keys;
    let a = &p.algorithms;
    let enc = kdf128(kaiotf, &[c.fc, c.enc_distinguisher, 0, 1, a.nea2, 0, 1]);
    let int = kdf128(kaiotf, &[c.fc, c.int_distinguisher, 0, 1, a.nia2, 0, 1]);
    let bo = p.layout.body_offset();
    // Protect the request: cipher the body, MAC the whole message but the MAC field.
    let mut req = lay_out(p, req_plain, true);
    Ctr::new(&enc.into(), &iv(p.request).into()).apply_keystream(&mut req[bo..]);
    let mac = nia2(&int, p.request, &mac_input(p, &req));
    let mo = p.layout.mac_offset(req.len());
    req[mo..mo + MAC_LEN].copy_from_slice(&mac);
    // Verify, then decipher the response.
    let mo = p.layout.mac_offset(response.len());
    let expected = nia2(&int, p.response, &mac_input(p, response));
    assert!(expected[..] == response[mo..mo + MAC_LEN], "MAC mismatch");
    let mut plain = response[bo..].to_vec();
    Ctr::new(&enc.into(), &iv(p.response).into()).apply_keystream(&mut plain);
    (req, plain)
}
