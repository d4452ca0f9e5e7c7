//! Hex helpers with typed errors.

use crate::error::Error;

/// Decode hex (upper or lower case, optional `0x` prefix, whitespace and `_` ignored).
pub fn decode(text: &str) -> Result<Vec<u8>, Error> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let cleaned: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .collect();
    hex::decode(&cleaned).map_err(|e| Error::Hex(format!("{e}")))
}

/// Encode as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Parse a number written in hex, with or without one `0x` prefix.
pub fn parse_hex_u64(text: &str) -> Result<u64, Error> {
    let t = text.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    u64::from_str_radix(digits, 16).map_err(|e| Error::Hex(format!("{t}: {e}")))
}

/// Parse a number given in decimal or `0x` hex.
pub fn parse_u64(text: &str) -> Result<u64, Error> {
    let t = text.trim();
    let r = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(h, 16)
    } else {
        t.parse::<u64>()
    };
    r.map_err(|e| Error::Hex(format!("{t}: {e}")))
}
