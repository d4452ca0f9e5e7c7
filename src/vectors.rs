//! Loader for the official test data (`../shared/vectors/*.json` beside the checkout, or the
//! directory named by `AIOTSEC_VECTORS`): TS 33.401 Annex C 128-NEA2/128-NIA2 sets, NIST SP 800-38A
//! CTR, RFC 4493 CMAC and TS 33.220 KDF known answers. Used by the tests, the co-simulation and
//! `aiotsec vectors`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::hexutil::decode;
use crate::profile::SecurityInputs;

/// Where the vectors are: `$AIOTSEC_VECTORS`, else `<crate>/../shared/vectors`, else
/// `<crate>/tests/data/vectors`.
pub fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os("AIOTSEC_VECTORS") {
        return PathBuf::from(d);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/vectors");
    if shared.is_dir() {
        return shared;
    }
    root.join("tests/data/vectors")
}

fn read(name: &str) -> Result<String, Error> {
    let p = dir().join(name);
    std::fs::read_to_string(&p)
        .map_err(|e| Error::Protocol(format!("test vectors {}: {e}", p.display())))
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str) -> Result<T, Error> {
    serde_json::from_str(&read(name)?).map_err(|e| Error::Protocol(format!("{name}: {e}")))
}

#[derive(Deserialize)]
struct RawSet<T> {
    vectors: Vec<T>,
}

#[derive(Deserialize)]
struct RawNea {
    name: String,
    key: String,
    count: String,
    bearer: u8,
    direction: u8,
    length_bits: usize,
    plaintext: String,
    ciphertext: String,
    #[serde(default)]
    official: bool,
}

#[derive(Deserialize)]
struct RawNia {
    name: String,
    key: String,
    count: String,
    bearer: u8,
    direction: u8,
    length_bits: usize,
    message: String,
    mac: String,
    #[serde(default)]
    official: bool,
}

/// One 128-NEA2 test set.
#[derive(Debug, Clone)]
pub struct NeaVector {
    /// Name and origin of the set, e.g. "128-EEA2/128-NEA2 test set 1 (TS 33.401 C.1.1)".
    pub name: String,
    /// The 128-bit key, most significant octet first.
    pub key: [u8; 16],
    /// COUNT, BEARER (5 bits) and DIRECTION (0 uplink, 1 downlink) of the set.
    pub inputs: SecurityInputs,
    /// LENGTH: the message length in bits (not always a multiple of 8).
    pub bits: usize,
    /// The plaintext, `bits.div_ceil(8)` octets, unused trailing bits of the last octet zero.
    pub plaintext: Vec<u8>,
    /// The expected ciphertext, same length and zero trailing bits.
    pub ciphertext: Vec<u8>,
    /// The set is one of TS 33.401 Annex C; `false` for the extra sets (other lengths).
    pub official: bool,
}

/// One 128-NIA2 test set.
#[derive(Debug, Clone)]
pub struct NiaVector {
    /// Name and origin of the set, e.g. "128-EIA2/128-NIA2 test set 1 (TS 33.401 C.2.1)".
    pub name: String,
    /// The 128-bit key, most significant octet first.
    pub key: [u8; 16],
    /// COUNT, BEARER and DIRECTION of the set.
    pub inputs: SecurityInputs,
    /// LENGTH: the message length in bits.
    pub bits: usize,
    /// The message, `bits.div_ceil(8)` octets.
    pub message: Vec<u8>,
    /// The expected MAC-I: the first 32 bits of the CMAC tag over COUNT || BEARER || DIRECTION ||
    /// 0^26 || MESSAGE.
    pub mac: [u8; 4],
    /// The set is one of TS 33.401 Annex C; `false` for the extra sets.
    pub official: bool,
}

fn key16(h: &str) -> Result<[u8; 16], Error> {
    decode(h)?
        .try_into()
        .map_err(|v: Vec<u8>| Error::KeyLength {
            expected: 16,
            got: v.len(),
        })
}

fn count(h: &str) -> Result<u32, Error> {
    let b: [u8; 4] = decode(h)?
        .try_into()
        .map_err(|_| Error::Hex(format!("COUNT {h} is not 4 octets")))?;
    Ok(u32::from_be_bytes(b))
}

/// All 128-NEA2 sets.
pub fn nea2() -> Result<Vec<NeaVector>, Error> {
    let raw: RawSet<RawNea> = parse("nea2.json")?;
    raw.vectors
        .into_iter()
        .map(|v| {
            Ok(NeaVector {
                key: key16(&v.key)?,
                inputs: SecurityInputs {
                    count: count(&v.count)?,
                    bearer: v.bearer,
                    direction: v.direction,
                },
                bits: v.length_bits,
                plaintext: decode(&v.plaintext)?,
                ciphertext: decode(&v.ciphertext)?,
                official: v.official,
                name: v.name,
            })
        })
        .collect()
}

/// All 128-NIA2 sets.
pub fn nia2() -> Result<Vec<NiaVector>, Error> {
    let raw: RawSet<RawNia> = parse("nia2.json")?;
    raw.vectors
        .into_iter()
        .map(|v| {
            let mac: [u8; 4] = decode(&v.mac)?
                .try_into()
                .map_err(|_| Error::Hex("MAC is not 4 octets".into()))?;
            Ok(NiaVector {
                key: key16(&v.key)?,
                inputs: SecurityInputs {
                    count: count(&v.count)?,
                    bearer: v.bearer,
                    direction: v.direction,
                },
                bits: v.length_bits,
                message: decode(&v.message)?,
                mac,
                official: v.official,
                name: v.name,
            })
        })
        .collect()
}

/// NIST SP 800-38A CTR example.
#[derive(Debug, Clone)]
pub struct CtrVector {
    /// Name and origin, e.g. "NIST SP 800-38A F.5.1 CTR-AES128.Encrypt".
    pub name: String,
    /// The AES-128 key.
    pub key: [u8; 16],
    /// The first counter block; later blocks add 1 to it as a 128-bit big-endian integer.
    pub initial_counter_block: [u8; 16],
    /// The plaintext (whole blocks).
    pub plaintext: Vec<u8>,
    /// The expected ciphertext.
    pub ciphertext: Vec<u8>,
}

/// RFC 4493 CMAC example.
#[derive(Debug, Clone)]
pub struct CmacVector {
    /// Name and origin, e.g. "RFC 4493 Example 2: len = 16".
    pub name: String,
    /// The AES-128 key.
    pub key: [u8; 16],
    /// The message (any number of octets, empty included).
    pub message: Vec<u8>,
    /// The expected full 128-bit CMAC tag.
    pub mac: [u8; 16],
}

/// HMAC-SHA-256 example.
#[derive(Debug, Clone)]
pub struct HmacVector {
    /// Name and origin, e.g. "RFC 4231 test case 2".
    pub name: String,
    /// The HMAC key (any length).
    pub key: Vec<u8>,
    /// The message.
    pub message: Vec<u8>,
    /// The expected HMAC-SHA-256 output (32 octets).
    pub mac: Vec<u8>,
}

#[derive(Deserialize)]
struct RawModes {
    ctr: Vec<RawCtr>,
    cmac: Vec<RawCmac>,
    hmac_sha256: Vec<RawCmac>,
}

#[derive(Deserialize)]
struct RawCtr {
    name: String,
    key: String,
    initial_counter_block: String,
    plaintext: String,
    ciphertext: String,
}

#[derive(Deserialize)]
struct RawCmac {
    name: String,
    key: String,
    message: String,
    mac: String,
}

/// The generic AES mode examples of `aes_modes.json`: CTR, CMAC and HMAC-SHA-256 examples.
pub type AesModes = (Vec<CtrVector>, Vec<CmacVector>, Vec<HmacVector>);

/// The generic AES mode examples.
pub fn aes_modes() -> Result<AesModes, Error> {
    let raw: RawModes = parse("aes_modes.json")?;
    let ctr = raw
        .ctr
        .into_iter()
        .map(|v| {
            Ok(CtrVector {
                key: key16(&v.key)?,
                initial_counter_block: key16(&v.initial_counter_block)?,
                plaintext: decode(&v.plaintext)?,
                ciphertext: decode(&v.ciphertext)?,
                name: v.name,
            })
        })
        .collect::<Result<_, Error>>()?;
    let cmac = raw
        .cmac
        .into_iter()
        .map(|v| {
            Ok(CmacVector {
                key: key16(&v.key)?,
                message: decode(&v.message)?,
                mac: key16(&v.mac)?,
                name: v.name,
            })
        })
        .collect::<Result<_, Error>>()?;
    let hmac = raw
        .hmac_sha256
        .into_iter()
        .map(|v| {
            Ok(HmacVector {
                key: decode(&v.key)?,
                message: decode(&v.message)?,
                mac: decode(&v.mac)?,
                name: v.name,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok((ctr, cmac, hmac))
}

/// TS 33.220 KDF known answer.
#[derive(Debug, Clone)]
pub struct KdfVector {
    /// Name and origin of the known answer (the TS 33.501 A.8 / TS 33.402 A.2 derivation it
    /// computes).
    pub name: String,
    /// The KDF key (32 octets in the sets given); in the truncation example (`fc` `None`), the
    /// 256-bit KDF output to truncate.
    pub key: Vec<u8>,
    /// `None` for the pure truncation example.
    pub fc: Option<u8>,
    /// The input parameters P0, P1, ... (their 2-octet big-endian lengths L_i are not included).
    pub params: Vec<Vec<u8>>,
    /// The whole input string S = FC || P0 || L0 || P1 || L1 ... when the file gives it, for
    /// checking its assembly.
    pub s: Option<Vec<u8>>,
    /// True when `expected` is the 128 least significant bits only.
    pub truncated: bool,
    /// The expected output: the 32-octet HMAC-SHA-256(key, S), or its octets 16..31 when
    /// `truncated`.
    pub expected: Vec<u8>,
}

#[derive(Deserialize)]
struct RawKdf {
    name: String,
    key: String,
    fc: Option<String>,
    params: Vec<String>,
    s: Option<String>,
    output_selection: String,
    expected: String,
}

/// The KDF known answers.
pub fn kdf() -> Result<Vec<KdfVector>, Error> {
    let raw: RawSet<RawKdf> = parse("kdf.json")?;
    raw.vectors
        .into_iter()
        .map(|v| {
            let fc = match &v.fc {
                Some(f) => Some(
                    u8::try_from(crate::hexutil::parse_u64(f)?)
                        .map_err(|_| Error::Hex(format!("FC {f}")))?,
                ),
                None => None,
            };
            Ok(KdfVector {
                key: decode(&v.key)?,
                fc,
                params: v
                    .params
                    .iter()
                    .map(|p| decode(p))
                    .collect::<Result<_, _>>()?,
                s: v.s.as_deref().map(decode).transpose()?,
                truncated: v.output_selection.contains("16..31"),
                expected: decode(&v.expected)?,
                name: v.name,
            })
        })
        .collect()
}
