//! Protect an AIOT NAS Command Request as the AIOTF does and unprotect it as the tag does, with
//! the provisional profile: `cargo run --example protect_unprotect`.

use aiotsec::hexutil::encode;
use aiotsec::kdf::derive_command_keys;
use aiotsec::keys::Key256;
use aiotsec::messages::{self, Command, CommandRequest};
use aiotsec::profile::Profile;

fn main() -> Result<(), aiotsec::Error> {
    let profile = Profile::default();
    // KAIOTF as both sides hold it after clause 5.2.2 (here a fixed example value)
    let kaiotf =
        Key256::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")?;
    let keys = derive_command_keys(&profile, &kaiotf)?;
    let command = Command::Write {
        offset: 0x10,
        data: vec![0xde, 0xad, 0xbe, 0xef],
    };
    let plain = CommandRequest { command }.encode(&profile)?;
    let msg = messages::protect(&profile, &keys, profile.request, &plain, true)?;
    println!("plain     {}", encode(&plain));
    println!("protected {}", encode(&msg));
    let u = messages::unprotect(&profile, &keys, profile.request, &msg)?;
    let back = CommandRequest::decode(&u.plain, &profile)?;
    let fields = serde_json::to_string(&back.command).unwrap_or_default();
    println!(
        "verified and deciphered: {fields} (ciphered: {})",
        u.ciphered
    );
    let mut forged = msg.clone();
    forged[2] ^= 0x01; // a bit of the MAC field
    match messages::unprotect(&profile, &keys, profile.request, &forged) {
        Err(e) => println!("forged copy rejected: {e}"),
        Ok(_) => return Err(aiotsec::Error::Protocol("a forged message verified".into())),
    }
    Ok(())
}
