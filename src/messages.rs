//! AIOT NAS Command Request / Command Response and their protected form.
//!
//! Codes and layout come from the [`Profile`] (provisional). Decoding is strict: every malformed,
//! truncated, oversized or trailing input is a typed [`DecodeError`].
//!
//! Protected message (see `profiles/provisional.toml`):
//! `[clear part (EPD, ciphering indication)][MAC][ciphered part]` (or MAC as trailer). The MAC is
//! 128-NIA2 over the clear part followed by the (ciphered) part, i.e. the whole message except the
//! MAC field: encrypt-then-MAC, so the receiver verifies before it deciphers anything.

use crate::algorithms::{Nia2Key, cipher, nea2_in_place_with, nia::mac_eq};
pub use crate::error::DecodeError;
use crate::error::Error;
use crate::keys::CommandKeys;
use crate::profile::{MAC_LEN, Profile, SecurityInputs};

/// The command carried by a Command Request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "command")]
pub enum Command {
    /// Read `length` octets of user memory at `offset`.
    Read {
        /// First octet of user memory to read (big-endian u16 on the wire).
        offset: u16,
        /// Octets to read (big-endian u16 on the wire).
        length: u16,
    },
    /// Write `data` to user memory at `offset`.
    Write {
        /// First octet of user memory to write (big-endian u16 on the wire).
        offset: u16,
        /// The octets to write; the wire carries their length as a big-endian u16 before them.
        #[serde(serialize_with = "ser_hex")]
        data: Vec<u8>,
    },
    /// Permanently disable the tag.
    Disable,
}

fn ser_hex<S: serde::Serializer>(d: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(d))
}

/// AIOT NAS Command Request (plain).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommandRequest {
    /// The command to execute on the tag.
    pub command: Command,
}

/// Result code of a Command Response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseStatus {
    /// The command was executed (a Read carries the data read).
    Success,
    /// offset + length lies beyond the user memory, or the data read would not fit one response;
    /// nothing was done.
    OutOfRange,
    /// The tag was disabled by an earlier Disable and executes no command.
    Disabled,
    /// The tag does not support the command.
    Unsupported,
}

/// AIOT NAS Command Response (plain).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommandResponse {
    /// Outcome of the command.
    pub status: ResponseStatus,
    /// The octets read (Read with `Success`); empty otherwise. Its length is sent as a big-endian
    /// u16.
    #[serde(serialize_with = "ser_hex")]
    pub data: Vec<u8>,
}

/// Strict reader over a byte slice.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Self { b, pos: 0 }
    }
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let left = self.b.len() - self.pos;
        if left < n {
            return Err(DecodeError::Truncated {
                what,
                needed: n,
                got: left,
            });
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let s = self.take(2, what)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn finish(self) -> Result<(), DecodeError> {
        match self.b.len() - self.pos {
            0 => Ok(()),
            n => Err(DecodeError::Trailing(n)),
        }
    }
}

/// Largest plain message that fits a protected message under `profile`.
pub fn max_plain_len(profile: &Profile) -> usize {
    profile.layout.max_message_len - profile.layout.min_message_len()
}

fn check_len(len: usize, max: usize) -> Result<(), DecodeError> {
    if len > max {
        Err(DecodeError::TooLong { len, max })
    } else {
        Ok(())
    }
}

fn u16_len(n: usize, max: usize) -> Result<u16, Error> {
    u16::try_from(n).map_err(|_| Error::Decode(DecodeError::TooLong { len: n, max }))
}

impl CommandRequest {
    /// Encode the plain request.
    pub fn encode(&self, profile: &Profile) -> Result<Vec<u8>, Error> {
        let m = &profile.messages;
        let max = max_plain_len(profile);
        let mut out = vec![m.command_request];
        match &self.command {
            Command::Read { offset, length } => {
                out.push(m.read);
                out.extend_from_slice(&offset.to_be_bytes());
                out.extend_from_slice(&length.to_be_bytes());
            }
            Command::Write { offset, data } => {
                out.push(m.write);
                out.extend_from_slice(&offset.to_be_bytes());
                out.extend_from_slice(&u16_len(data.len(), max)?.to_be_bytes());
                out.extend_from_slice(data);
            }
            Command::Disable => out.push(m.disable),
        }
        check_len(out.len(), max)?;
        Ok(out)
    }

    /// Decode a plain request, strictly.
    pub fn decode(b: &[u8], profile: &Profile) -> Result<Self, DecodeError> {
        check_len(b.len(), max_plain_len(profile))?;
        let m = &profile.messages;
        let mut r = Reader::new(b);
        let t = r.u8("message type")?;
        if t != m.command_request {
            return Err(DecodeError::MessageType(t));
        }
        let c = r.u8("command")?;
        let command = if c == m.read {
            let offset = r.u16("read offset")?;
            let length = r.u16("read length")?;
            Command::Read { offset, length }
        } else if c == m.write {
            let offset = r.u16("write offset")?;
            let len = r.u16("write length")? as usize;
            let data = r.take(len, "write data")?.to_vec();
            Command::Write { offset, data }
        } else if c == m.disable {
            Command::Disable
        } else {
            return Err(DecodeError::Command(c));
        };
        r.finish()?;
        Ok(Self { command })
    }
}

impl CommandResponse {
    fn status_code(&self, profile: &Profile) -> u8 {
        let m = &profile.messages;
        match self.status {
            ResponseStatus::Success => m.status_success,
            ResponseStatus::OutOfRange => m.status_out_of_range,
            ResponseStatus::Disabled => m.status_disabled,
            ResponseStatus::Unsupported => m.status_unsupported,
        }
    }

    /// Encode the plain response.
    pub fn encode(&self, profile: &Profile) -> Result<Vec<u8>, Error> {
        let max = max_plain_len(profile);
        let mut out = vec![profile.messages.command_response, self.status_code(profile)];
        out.extend_from_slice(&u16_len(self.data.len(), max)?.to_be_bytes());
        out.extend_from_slice(&self.data);
        check_len(out.len(), max)?;
        Ok(out)
    }

    /// Decode a plain response, strictly.
    pub fn decode(b: &[u8], profile: &Profile) -> Result<Self, DecodeError> {
        check_len(b.len(), max_plain_len(profile))?;
        let m = &profile.messages;
        let mut r = Reader::new(b);
        let t = r.u8("message type")?;
        if t != m.command_response {
            return Err(DecodeError::MessageType(t));
        }
        let s = r.u8("status")?;
        let status = if s == m.status_success {
            ResponseStatus::Success
        } else if s == m.status_out_of_range {
            ResponseStatus::OutOfRange
        } else if s == m.status_disabled {
            ResponseStatus::Disabled
        } else if s == m.status_unsupported {
            ResponseStatus::Unsupported
        } else {
            return Err(DecodeError::Status(s));
        };
        let len = r.u16("data length")? as usize;
        let data = r.take(len, "data")?.to_vec();
        r.finish()?;
        Ok(Self { status, data })
    }
}

/// The parts of a protected message, by position (no cryptography).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The clear part: `layout.clear_len` octets with the EPD and the ciphering indication.
    pub clear: &'a [u8],
    /// The 128-NIA2 MAC field as sent (MAC-I, most significant octet first).
    pub mac: [u8; 4],
    /// The protected body: ciphertext when `ciphered`, else the plain message.
    pub body: &'a [u8],
    /// The indication says ciphered with 128-NEA2 (`indication_ciphered`) rather than null
    /// ciphering.
    pub ciphered: bool,
}

/// Split a protected message according to the profile's layout. Checks length bounds, the EPD
/// and the ciphering indication.
pub fn split<'a>(profile: &Profile, msg: &'a [u8]) -> Result<Frame<'a>, DecodeError> {
    let l = &profile.layout;
    if msg.len() < l.min_message_len() {
        return Err(DecodeError::Truncated {
            what: "protected message",
            needed: l.min_message_len(),
            got: msg.len(),
        });
    }
    check_len(msg.len(), l.max_message_len)?;
    let clear = &msg[..l.clear_len];
    if clear[l.epd_offset] != l.epd {
        return Err(DecodeError::Epd(clear[l.epd_offset]));
    }
    let ciphered = indication(profile, clear[l.indication_offset])?;
    let mo = l.mac_offset(msg.len());
    let mut mac = [0u8; 4];
    mac.copy_from_slice(&msg[mo..mo + MAC_LEN]);
    let bo = l.body_offset();
    let body = &msg[bo..bo + msg.len() - l.min_message_len()];
    Ok(Frame {
        clear,
        mac,
        body,
        ciphered,
    })
}

/// Lay out an unprotected message: clear part (EPD, ciphering indication), a zero MAC field and
/// the plain part in the ciphered part's place, ready for an in-place protect.
pub fn lay_out(profile: &Profile, plain: &[u8], cipher: bool) -> Vec<u8> {
    let l = &profile.layout;
    let mut msg = vec![0u8; l.min_message_len() + plain.len()];
    msg[l.epd_offset] = l.epd;
    msg[l.indication_offset] = if cipher {
        l.indication_ciphered
    } else {
        l.indication_null
    };
    let bo = l.body_offset();
    msg[bo..bo + plain.len()].copy_from_slice(plain);
    msg
}

/// The ciphered part of a protected message (or the plain part of one laid out or unprotected
/// in place); empty when the message is shorter than the clear part and the MAC.
pub fn body<'a>(profile: &Profile, msg: &'a [u8]) -> &'a [u8] {
    let l = &profile.layout;
    let bo = l.body_offset();
    let n = msg.len().saturating_sub(l.min_message_len());
    msg.get(bo..bo + n).unwrap_or(&[])
}

/// Interpret a ciphering indication octet.
pub fn indication(profile: &Profile, v: u8) -> Result<bool, DecodeError> {
    let l = &profile.layout;
    if v == l.indication_ciphered {
        Ok(true)
    } else if v == l.indication_null {
        Ok(false)
    } else {
        Err(DecodeError::Indication(v))
    }
}

/// The MAC input of a protected message: the whole message without its MAC field.
pub fn mac_input(profile: &Profile, msg: &[u8]) -> Vec<u8> {
    let l = &profile.layout;
    let mo = l.mac_offset(msg.len());
    let mut m = Vec::with_capacity(msg.len().saturating_sub(MAC_LEN));
    m.extend_from_slice(&msg[..mo.min(msg.len())]);
    if mo + MAC_LEN <= msg.len() {
        m.extend_from_slice(&msg[mo + MAC_LEN..]);
    }
    m
}

/// The command keys of one round, prepared once (AES key schedules, CMAC subkeys) for every
/// protect/unprotect of the round.
pub struct Protector {
    enc: aes::Aes128Enc,
    int: Nia2Key,
}

impl std::fmt::Debug for Protector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Protector(<redacted>)")
    }
}

impl Protector {
    /// Prepare `keys`: the AES-128 key schedule of KCommand_enc and the CMAC subkeys of
    /// KCommand_int.
    pub fn new(keys: &CommandKeys) -> Self {
        Self {
            enc: cipher(&keys.enc),
            int: Nia2Key::new(&keys.int),
        }
    }

    /// MAC of a protected message (over everything but its MAC field).
    fn mac(&self, profile: &Profile, inputs: SecurityInputs, msg: &[u8]) -> Result<[u8; 4], Error> {
        let mo = profile.layout.mac_offset(msg.len()).min(msg.len());
        let tail = msg.get(mo + MAC_LEN..).unwrap_or(&[]);
        self.int.mac_octets2(inputs, &msg[..mo], tail)
    }

    /// Protect a plain message: build the clear part, cipher (128-NEA2) when `cipher`, then MAC
    /// (128-NIA2) over the whole message but the MAC field.
    pub fn protect(
        &self,
        profile: &Profile,
        inputs: SecurityInputs,
        plain: &[u8],
        cipher: bool,
    ) -> Result<Vec<u8>, Error> {
        check_len(plain.len(), max_plain_len(profile))?;
        let mut msg = lay_out(profile, plain, cipher);
        self.protect_in_place(profile, inputs, &mut msg)?;
        Ok(msg)
    }

    /// Protect a message already laid out in `msg` (clear part set, plain part in place, MAC
    /// field ignored): cipher in place if the indication says so, then write the MAC.
    pub fn protect_in_place(
        &self,
        profile: &Profile,
        inputs: SecurityInputs,
        msg: &mut [u8],
    ) -> Result<[u8; 4], Error> {
        let l = &profile.layout;
        let ciphered = split(profile, msg)?.ciphered;
        let bo = l.body_offset();
        let blen = msg.len() - l.min_message_len();
        if ciphered {
            nea2_in_place_with(&self.enc, inputs, &mut msg[bo..bo + blen], blen * 8)?;
        }
        let mac = self.mac(profile, inputs, msg)?;
        let mo = l.mac_offset(msg.len());
        msg[mo..mo + MAC_LEN].copy_from_slice(&mac);
        Ok(mac)
    }

    /// Verify the MAC (constant-time comparison) and only then decipher.
    pub fn unprotect(
        &self,
        profile: &Profile,
        inputs: SecurityInputs,
        msg: &[u8],
    ) -> Result<Unprotected, Error> {
        let f = split(profile, msg)?;
        let expected = self.mac(profile, inputs, msg)?;
        if !mac_eq(&expected, &f.mac) {
            return Err(Error::Integrity("MAC mismatch"));
        }
        let mut plain = f.body.to_vec();
        if f.ciphered {
            let bits = plain.len() * 8;
            nea2_in_place_with(&self.enc, inputs, &mut plain, bits)?;
        }
        Ok(Unprotected {
            ciphered: f.ciphered,
            plain,
        })
    }
}

/// Protect a plain message (see [`Protector::protect`]).
pub fn protect(
    profile: &Profile,
    keys: &CommandKeys,
    inputs: SecurityInputs,
    plain: &[u8],
    cipher: bool,
) -> Result<Vec<u8>, Error> {
    Protector::new(keys).protect(profile, inputs, plain, cipher)
}

/// Result of a successful [`unprotect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unprotected {
    /// The message was ciphered (its indication said 128-NEA2).
    pub ciphered: bool,
    /// The plain message (deciphered when it was ciphered).
    pub plain: Vec<u8>,
}

/// Verify and decipher a protected message (see [`Protector::unprotect`]).
pub fn unprotect(
    profile: &Profile,
    keys: &CommandKeys,
    inputs: SecurityInputs,
    msg: &[u8],
) -> Result<Unprotected, Error> {
    Protector::new(keys).unprotect(profile, inputs, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Key128;

    fn keys() -> CommandKeys {
        CommandKeys {
            enc: Key128::new([1; 16]),
            int: Key128::new([2; 16]),
        }
    }

    #[test]
    fn request_round_trip() {
        let p = Profile::default();
        for c in [
            Command::Read {
                offset: 3,
                length: 9,
            },
            Command::Write {
                offset: 0x102,
                data: vec![1, 2, 3],
            },
            Command::Disable,
        ] {
            let r = CommandRequest { command: c };
            let b = r.encode(&p).unwrap();
            assert_eq!(CommandRequest::decode(&b, &p).unwrap(), r);
            // every strict prefix is truncated, any extra octet is trailing
            for k in 0..b.len() {
                assert!(CommandRequest::decode(&b[..k], &p).is_err());
            }
            let mut longer = b.clone();
            longer.push(0);
            assert_eq!(
                CommandRequest::decode(&longer, &p),
                Err(DecodeError::Trailing(1))
            );
        }
    }

    #[test]
    fn protect_unprotect_both_cipher_modes() {
        let p = Profile::default();
        let k = keys();
        for cipher in [false, true] {
            let plain = b"hello tag".to_vec();
            let msg = protect(&p, &k, p.request, &plain, cipher).unwrap();
            assert_eq!(msg.len(), plain.len() + 6);
            if cipher {
                assert_ne!(&msg[6..], &plain[..]);
            } else {
                assert_eq!(&msg[6..], &plain[..]);
            }
            let u = unprotect(&p, &k, p.request, &msg).unwrap();
            assert_eq!(u.plain, plain);
            assert_eq!(u.ciphered, cipher);
            // wrong direction inputs fail
            assert!(matches!(
                unprotect(&p, &k, p.response, &msg),
                Err(Error::Integrity(_))
            ));
        }
    }

    #[test]
    fn trailer_layout_works() {
        let p = Profile::from_override_str("[layout]\nmac_position = \"trailer\"\n").unwrap();
        let k = keys();
        let msg = protect(&p, &k, p.request, b"abc", true).unwrap();
        let u = unprotect(&p, &k, p.request, &msg).unwrap();
        assert_eq!(u.plain, b"abc");
    }
}
