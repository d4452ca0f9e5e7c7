//! The provisional profile: every value TS 33.369 has not published to us.
//!
//! The values live in exactly one place, `profiles/provisional.toml`, which is embedded here and
//! used as [`Profile::default`]. A file given with `--profile` is merged over it key by key, so a
//! file only needs the values it changes. Everything else in the crate (KDF inputs, key hierarchy,
//! COUNT/BEARER/DIRECTION, message layout and codes) reads its numbers from a [`Profile`].

use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::error::Error;

/// The embedded provisional profile (TOML text).
pub const PROVISIONAL_TOML: &str = include_str!("../profiles/provisional.toml");

/// Octets of the NIA2 MAC field.
pub const MAC_LEN: usize = 4;

/// Largest protected message: the tag's frame buffer (the RTL engine's 2**ADDR_W octets).
pub const MAX_FRAME: usize = 4096;

/// Largest profile file read (the provisional profile is under 6 KiB).
pub const MAX_PROFILE_FILE: usize = 64 * 1024;

/// Annex A.3 (provisional) inputs of the KAIOTF derivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KaiotfParams {
    /// FC octet of the TS 33.220 Annex B.2 KDF input S for KAIOTF (provisional 0x8A).
    pub fc: u8,
    /// Length in octets of N_AIOTF, the AIOTF's fresh nonce, P0 of S (1..=64; provisional 16).
    pub n_aiotf_len: usize,
    /// Length in octets of N_DEV, the device's fresh nonce, P1 of S (1..=64; provisional 8).
    pub n_dev_len: usize,
    /// Engine DERIVE: offset of N_AIOTF in the frame buffer from the command's address (octets;
    /// provisional 0). Not a TS 33.369 value: where the tag's radio leaves the nonce.
    pub n_aiotf_offset: usize,
    /// Engine DERIVE: offset of N_DEV from the command's address (octets; provisional 16). The
    /// two nonce regions must not overlap.
    pub n_dev_offset: usize,
}

impl KaiotfParams {
    /// Octets from the command's address that an engine DERIVE reads: the end of the later of
    /// the two nonce regions.
    pub fn derive_span(&self) -> usize {
        (self.n_aiotf_offset + self.n_aiotf_len).max(self.n_dev_offset + self.n_dev_len)
    }
}

/// Annex A.4 (provisional) inputs of the KCommand_enc / KCommand_int derivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandKeyParams {
    /// FC octet of the KDF input S for KCommand_enc / KCommand_int (provisional 0x69, after TS
    /// 33.501 A.8).
    pub fc: u8,
    /// Algorithm type distinguisher, P0 of S, for KCommand_enc (N-AIOT-cmd-enc-alg; provisional
    /// 0x07). Must differ from `int_distinguisher`.
    pub enc_distinguisher: u8,
    /// Algorithm type distinguisher, P0 of S, for KCommand_int (N-AIOT-cmd-int-alg; provisional
    /// 0x08).
    pub int_distinguisher: u8,
}

/// Algorithm identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlgorithmIds {
    /// Algorithm identity of 128-NEA2 (TS 33.501 clause 5.11.1.1: 2), P1 of the KCommand_enc
    /// derivation.
    pub nea2: u8,
    /// Algorithm identity of 128-NIA2 (TS 33.501 clause 5.11.1.2: 2), P1 of the KCommand_int
    /// derivation.
    pub nia2: u8,
}

/// COUNT, BEARER and DIRECTION used with NEA2/NIA2 for one message direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityInputs {
    /// COUNT, the 32-bit counter input (TS 33.401 Annex B); sent big-endian as the first 4 octets
    /// of the counter block / CMAC header.
    pub count: u32,
    /// BEARER, the 5-bit bearer identity input (0..=31).
    pub bearer: u8,
    /// DIRECTION, one bit: 0 uplink (device -> AIOTF), 1 downlink (AIOTF -> device).
    pub direction: u8,
}

/// Where the MAC field sits in a protected message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MacPosition {
    /// `[clear][MAC][ciphered]` (TS 24.501 style).
    AfterClear,
    /// `[clear][ciphered][MAC]`.
    Trailer,
}

/// Layout of the protected AIOT NAS message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Octets of the clear part at the start of a protected message (EPD and ciphering indication;
    /// at least 1).
    pub clear_len: usize,
    /// Offset of the extended protocol discriminator (TS 24.007 clause 11.2.3.1.1) in the clear
    /// part.
    pub epd_offset: usize,
    /// The EPD value of an AIOT NAS message (provisional 0x7A).
    pub epd: u8,
    /// Offset of the ciphering indication (the security header type of TS 24.501 clause 9.3.1) in
    /// the clear part; not the EPD's.
    pub indication_offset: usize,
    /// Indication value: integrity protected, not ciphered (NEA0; provisional 0x01).
    pub indication_null: u8,
    /// Indication value: integrity protected and ciphered with 128-NEA2 (provisional 0x02). Must
    /// differ from `indication_null`.
    pub indication_ciphered: u8,
    /// Where the 4-octet MAC field sits.
    pub mac_position: MacPosition,
    /// Largest protected message in octets, header and MAC included: from `min_message_len() + 2`
    /// to [`MAX_FRAME`].
    pub max_message_len: usize,
}

impl Layout {
    /// Offset of the 4-octet MAC field in a protected message of `total` octets.
    pub fn mac_offset(&self, total: usize) -> usize {
        match self.mac_position {
            MacPosition::AfterClear => self.clear_len,
            MacPosition::Trailer => total.saturating_sub(MAC_LEN),
        }
    }

    /// Offset of the ciphered part.
    pub fn body_offset(&self) -> usize {
        match self.mac_position {
            MacPosition::AfterClear => self.clear_len + MAC_LEN,
            MacPosition::Trailer => self.clear_len,
        }
    }

    /// Smallest protected message: clear part and MAC, empty ciphered part.
    pub fn min_message_len(&self) -> usize {
        self.clear_len + MAC_LEN
    }
}

/// Codes of the plain AIOT NAS messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageCodes {
    /// Message type octet of the AIOT NAS Command Request.
    pub command_request: u8,
    /// Message type octet of the AIOT NAS Command Response (differs from the request's).
    pub command_response: u8,
    /// Command code of Read (offset u16, length u16 follow).
    pub read: u8,
    /// Command code of Write (offset u16, length u16 and the data follow).
    pub write: u8,
    /// Command code of Disable (nothing follows).
    pub disable: u8,
    /// Response status: the command was executed.
    pub status_success: u8,
    /// Response status: offset + length lies beyond the tag's user memory (or a read is too long
    /// for one response).
    pub status_out_of_range: u8,
    /// Response status: the tag was disabled, it executes no command.
    pub status_disabled: u8,
    /// Response status: the tag does not support the command (decoded; the model's device never
    /// sends it).
    pub status_unsupported: u8,
}

/// The whole profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Inputs of the KAIOTF derivation (Annex A.3, provisional).
    pub kaiotf: KaiotfParams,
    /// Inputs of the KCommand_enc / KCommand_int derivation (Annex A.4, provisional).
    pub command_keys: CommandKeyParams,
    /// Algorithm identities used in the command key derivation.
    pub algorithms: AlgorithmIds,
    /// COUNT/BEARER/DIRECTION of the Command Request (AIOTF -> device).
    pub request: SecurityInputs,
    /// COUNT/BEARER/DIRECTION of the Command Response (device -> AIOTF); must differ from `request`
    /// (no shared keystream).
    pub response: SecurityInputs,
    /// Layout of the protected message.
    pub layout: Layout,
    /// Codes of the plain messages.
    pub messages: MessageCodes,
    /// Security policy limits.
    pub limits: Limits,
}

/// Security policy limits (provisional: TS 33.369 states none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// MAC mismatches tolerated per key agreement: the device's per N_DEV, the AIOTF's per round.
    /// Reaching it sends the device back to idle (new inventory needed) and aborts the AIOTF's
    /// round.
    pub max_integrity_failures: u32,
}

impl Default for Profile {
    fn default() -> Self {
        // The embedded file is checked by a unit test; a broken file cannot be built into a release.
        match Self::from_toml_str(PROVISIONAL_TOML) {
            Ok(p) => p,
            Err(e) => unreachable!("embedded provisional profile is invalid: {e}"),
        }
    }
}

/// Keys written in hex as `profiles/provisional.toml` writes them (FC values, distinguishers,
/// codes), with their width in hex digits.
const HEX_KEYS: &[(&str, usize)] = &[
    ("fc", 2),
    ("enc_distinguisher", 2),
    ("int_distinguisher", 2),
    ("nea2", 2),
    ("nia2", 2),
    ("count", 8),
    ("epd", 2),
    ("indication_null", 2),
    ("indication_ciphered", 2),
    ("command_request", 2),
    ("command_response", 2),
    ("read", 2),
    ("write", 2),
    ("disable", 2),
    ("status_success", 2),
    ("status_out_of_range", 2),
    ("status_disabled", 2),
    ("status_unsupported", 2),
];

/// `key = N` as `key = 0xNN` when `key` is one of [`HEX_KEYS`]; any other line unchanged.
fn hex_line(line: &str) -> String {
    if let Some((k, v)) = line.split_once(" = ")
        && let Some(&(_, w)) = HEX_KEYS.iter().find(|(name, _)| *name == k.trim())
        && let Ok(n) = v.trim().parse::<u64>()
    {
        return format!("{k} = 0x{n:0w$X}");
    }
    line.to_string()
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

impl Profile {
    /// Parse a complete profile (all keys present) and validate it.
    fn from_toml_str(text: &str) -> Result<Self, Error> {
        let p: Profile = toml::from_str(text).map_err(|e| Error::Profile(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Parse a (possibly partial) profile text merged over the provisional default.
    pub fn from_override_str(text: &str) -> Result<Self, Error> {
        let mut base: toml::Value =
            toml::from_str(PROVISIONAL_TOML).map_err(|e| Error::Profile(e.to_string()))?;
        let over: toml::Value = toml::from_str(text).map_err(|e| Error::Profile(e.to_string()))?;
        merge(&mut base, over);
        let p: Profile = base
            .try_into()
            .map_err(|e: toml::de::Error| Error::Profile(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Load a profile file (merged over the provisional default). Only a regular file of at
    /// most [`MAX_PROFILE_FILE`] octets is read (a device, a FIFO or an endless file is refused
    /// before or while reading, never read without bound).
    pub fn load(path: &Path) -> Result<Self, Error> {
        let err = |m: String| Error::Profile(format!("{}: {m}", path.display()));
        // Checked before opening too: opening a FIFO would block until a writer appears.
        let regular = |m: std::fs::Metadata| match m.is_file() {
            true => Ok(()),
            false => Err(err("not a regular file".into())),
        };
        regular(std::fs::metadata(path).map_err(|e| err(e.to_string()))?)?;
        let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
        regular(file.metadata().map_err(|e| err(e.to_string()))?)?;
        let mut text = String::new();
        use std::io::Read;
        let n = file
            .take(MAX_PROFILE_FILE as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| err(e.to_string()))?;
        if n > MAX_PROFILE_FILE {
            return Err(err(format!("larger than {MAX_PROFILE_FILE} octets")));
        }
        Self::from_override_str(&text)
    }

    /// The default profile, or the file's when one is given.
    pub fn load_or_default(path: Option<&Path>) -> Result<Self, Error> {
        match path {
            Some(p) => Self::load(p),
            None => Ok(Self::default()),
        }
    }

    /// Render as TOML (complete).
    pub fn to_toml(&self) -> String {
        let plain = toml::to_string_pretty(self).unwrap_or_default();
        let mut out = String::from(
            "# aiotsec effective profile. PROVISIONAL: TS 33.369 Annex A.3/A.4 and the AIOT NAS \
             layout are not\n# published to this project; these values are placeholders \
             (profiles/provisional.toml).\n",
        );
        for line in plain.lines() {
            out.push_str(&hex_line(line));
            out.push('\n');
        }
        out
    }

    /// Consistency rules every profile must satisfy.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::Profile(m));
        for (name, s) in [("request", &self.request), ("response", &self.response)] {
            if s.bearer > 31 {
                return bad(format!("{name}.bearer {} exceeds 5 bits", s.bearer));
            }
            if s.direction > 1 {
                return bad(format!("{name}.direction {} is not 0 or 1", s.direction));
            }
        }
        if self.request == self.response {
            return bad(
                "request and response use the same COUNT/BEARER/DIRECTION: they would share a \
                 keystream"
                    .into(),
            );
        }
        let l = &self.layout;
        if l.clear_len == 0 {
            return bad("layout.clear_len must be at least 1 (the ciphering indication)".into());
        }
        if l.indication_offset >= l.clear_len || l.epd_offset >= l.clear_len {
            return bad("layout: indication and EPD must sit inside the clear part".into());
        }
        if l.indication_offset == l.epd_offset {
            return bad("layout: indication and EPD share an octet".into());
        }
        if l.indication_null == l.indication_ciphered {
            return bad("layout: the two ciphering indications are equal".into());
        }
        if l.max_message_len < l.min_message_len() + 2 || l.max_message_len > MAX_FRAME {
            return bad(format!(
                "layout.max_message_len {} out of range [{}, {MAX_FRAME}] (the tag's frame buffer)",
                l.max_message_len,
                l.min_message_len() + 2
            ));
        }
        if self.kaiotf.n_aiotf_len == 0
            || self.kaiotf.n_dev_len == 0
            || self.kaiotf.n_aiotf_len > 64
            || self.kaiotf.n_dev_len > 64
        {
            return bad("kaiotf nonce lengths must be 1..=64 octets".into());
        }
        let k = &self.kaiotf;
        let (a, d) = (
            k.n_aiotf_offset..k.n_aiotf_offset + k.n_aiotf_len,
            k.n_dev_offset..k.n_dev_offset + k.n_dev_len,
        );
        if a.start < d.end && d.start < a.end {
            return bad("kaiotf: the N_AIOTF and N_DEV regions of DERIVE overlap".into());
        }
        if k.n_aiotf_offset > 256 || k.n_dev_offset > 256 {
            return bad("kaiotf nonce offsets must be 0..=256 octets".into());
        }
        if self.command_keys.enc_distinguisher == self.command_keys.int_distinguisher {
            return bad("command_keys: enc and int distinguishers are equal".into());
        }
        let m = &self.messages;
        if m.command_request == m.command_response {
            return bad("messages: request and response types are equal".into());
        }
        if m.read == m.write || m.read == m.disable || m.write == m.disable {
            return bad("messages: command codes must differ".into());
        }
        let st = [
            m.status_success,
            m.status_out_of_range,
            m.status_disabled,
            m.status_unsupported,
        ];
        if (0..st.len()).any(|i| st[i + 1..].contains(&st[i])) {
            return bad("messages: status codes must differ".into());
        }
        if self.limits.max_integrity_failures == 0 {
            return bad("limits.max_integrity_failures must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_profile_is_hex_like_the_file_and_reads_back() {
        let p = Profile::default();
        let t = p.to_toml();
        assert!(
            t.starts_with("# aiotsec effective profile. PROVISIONAL"),
            "{t}"
        );
        assert!(t.contains("fc = 0x8A") && t.contains("epd = 0x7A"), "{t}");
        assert!(t.contains("count = 0x00000000"), "{t}");
        assert!(t.contains("clear_len = 2"), "{t}");
        assert_eq!(Profile::from_toml_str(&t).expect("reads back"), p);
    }

    #[test]
    fn embedded_profile_parses_and_validates() {
        let p = Profile::from_toml_str(PROVISIONAL_TOML).expect("valid");
        assert_eq!(p, Profile::default());
        assert_ne!(p.request, p.response);
    }

    #[test]
    fn override_is_partial_and_round_trips() {
        let p = Profile::from_override_str("[request]\ncount = 7\n").unwrap();
        assert_eq!(p.request.count, 7);
        assert_eq!(p.response, Profile::default().response);
        let back = Profile::from_override_str(&p.to_toml()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn shared_keystream_is_rejected() {
        let d = Profile::default();
        let text = format!(
            "[response]\ncount = {}\nbearer = {}\ndirection = {}\n",
            d.request.count, d.request.bearer, d.request.direction
        );
        assert!(matches!(
            Profile::from_override_str(&text),
            Err(Error::Profile(_))
        ));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(Profile::from_override_str("[layout]\nbogus = 1\n").is_err());
        assert!(Profile::from_override_str("[request]\nbearer = 32\n").is_err());
        assert!(Profile::from_override_str("[request]\ndirection = 2\n").is_err());
        assert!(Profile::from_override_str("[layout]\nindication_offset = 5\n").is_err());
        assert!(Profile::from_override_str("[layout]\nmax_message_len = 4097\n").is_err());
        assert!(Profile::from_override_str("[messages]\nstatus_out_of_range = 0\n").is_err());
        assert!(Profile::from_override_str("not toml [").is_err());
        assert!(Profile::from_override_str("[limits]\nmax_integrity_failures = 0\n").is_err());
    }

    #[test]
    fn profile_files_are_read_bounded() {
        // A device and a FIFO are refused without reading (or blocking).
        let e = Profile::load(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = std::env::temp_dir().join(format!("aiotsec-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = Profile::load(&fifo).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        let big = dir.join("big.toml");
        let mut text = "# padding\n".repeat(MAX_PROFILE_FILE / 10 + 1);
        text.push_str("[request]\ncount = 7\n");
        std::fs::write(&big, &text).unwrap();
        let e = Profile::load(&big).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        let ok = dir.join("ok.toml");
        std::fs::write(&ok, "[request]\ncount = 7\n").unwrap();
        assert_eq!(Profile::load(&ok).unwrap().request.count, 7);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
