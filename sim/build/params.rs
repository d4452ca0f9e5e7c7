//! The profile values the engine is built with: `-G` overrides for Verilator and the constants
//! written to `$OUT_DIR/rtl_params.rs` (read from `profiles/provisional.toml`).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::{ADDR_W, fail};

/// The engine parameters of DERIVE (not passed to the board model, whose engine is built
/// without the KDF unit).
pub(crate) const KDF_PARAMS: [&str; 10] = [
    "FC_A3", "NA_OFF", "NA_LEN", "ND_OFF", "ND_LEN", "FC_A4", "ENC_DIST", "INT_DIST", "ALG_NEA2",
    "ALG_NIA2",
];

pub(crate) struct Params {
    /// `-G` overrides for the engine.
    pub(crate) gflags: Vec<(String, String)>,
    /// Rust constants: (NAME, "type = value").
    pub(crate) rust: Vec<(String, String)>,
}

/// Reads the few profile values the RTL is parameterised with. A deliberately small TOML reader
/// (sections, `key = value`, comments, integers in decimal/hex, quoted strings): enough for the
/// profile file, with a clear error on anything it cannot read.
pub(crate) fn profile_params(path: &Path) -> Params {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut section = String::new();
    for raw in text.lines() {
        let line = strip_comment(raw).trim().to_string();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = line[1..line.len() - 1].trim().to_string();
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            map.insert(format!("{section}.{}", k.trim()), v.trim().to_string());
        }
    }
    let int = |key: &str| -> u64 {
        let v = map
            .get(key)
            .unwrap_or_else(|| fail(&format!("{}: missing {key}", path.display())));
        let v = v.replace('_', "");
        let parsed = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
            u64::from_str_radix(h, 16)
        } else {
            v.parse::<u64>()
        };
        parsed.unwrap_or_else(|_| {
            fail(&format!(
                "{}: {key} = {v} is not an integer",
                path.display()
            ))
        })
    };
    let string = |key: &str| -> String {
        let v = map
            .get(key)
            .unwrap_or_else(|| fail(&format!("{}: missing {key}", path.display())));
        v.trim_matches('"').to_string()
    };
    let clear_len = int("layout.clear_len");
    let ind_off = int("layout.indication_offset");
    let ind_null = int("layout.indication_null");
    let ind_ciph = int("layout.indication_ciphered");
    let max_len = int("layout.max_message_len");
    let trailer = match string("layout.mac_position").as_str() {
        "after-clear" => 0u64,
        "trailer" => 1,
        other => fail(&format!(
            "{}: unknown mac_position {other:?}",
            path.display()
        )),
    };
    if ind_null > 255 || ind_ciph > 255 || clear_len >= (1 << ADDR_W) || max_len > (1 << ADDR_W) {
        fail(&format!(
            "{}: layout values out of range for the RTL",
            path.display()
        ));
    }
    let mut gflags = vec![
        ("CLEAR_LEN".to_string(), format!("32'd{clear_len}")),
        ("IND_OFFSET".to_string(), format!("32'd{ind_off}")),
        ("IND_NULL".to_string(), format!("8'h{ind_null:02x}")),
        ("IND_CIPHERED".to_string(), format!("8'h{ind_ciph:02x}")),
        ("MAC_TRAILER".to_string(), format!("32'd{trailer}")),
    ];
    let mut rust = vec![
        ("CLEAR_LEN".to_string(), format!("usize = {clear_len}")),
        ("IND_OFFSET".to_string(), format!("usize = {ind_off}")),
        ("IND_NULL".to_string(), format!("u8 = {ind_null:#04x}")),
        ("IND_CIPHERED".to_string(), format!("u8 = {ind_ciph:#04x}")),
        (
            "MAC_TRAILER".to_string(),
            format!("bool = {}", trailer == 1),
        ),
    ];
    for (sec, p) in [("request", "REQ"), ("response", "RSP")] {
        let count = int(&format!("{sec}.count"));
        let bearer = int(&format!("{sec}.bearer"));
        let dir = int(&format!("{sec}.direction"));
        if count > u32::MAX as u64 || bearer > 31 || dir > 1 {
            fail(&format!("{}: [{sec}] values out of range", path.display()));
        }
        gflags.push((format!("{p}_COUNT"), format!("32'h{count:08x}")));
        gflags.push((format!("{p}_BEARER"), format!("5'd{bearer}")));
        gflags.push((format!("{p}_DIRECTION"), format!("1'b{dir}")));
        rust.push((format!("{p}_COUNT"), format!("u32 = {count:#010x}")));
        rust.push((format!("{p}_BEARER"), format!("u8 = {bearer}")));
        rust.push((format!("{p}_DIRECTION"), format!("u8 = {dir}")));
    }
    // DERIVE (A.3 then A.4): FC values, nonce placement, the A.4 parameters.
    let kdf: [(&str, &str, u32); 10] = [
        ("FC_A3", "kaiotf.fc", 8),
        ("NA_OFF", "kaiotf.n_aiotf_offset", 32),
        ("NA_LEN", "kaiotf.n_aiotf_len", 32),
        ("ND_OFF", "kaiotf.n_dev_offset", 32),
        ("ND_LEN", "kaiotf.n_dev_len", 32),
        ("FC_A4", "command_keys.fc", 8),
        ("ENC_DIST", "command_keys.enc_distinguisher", 8),
        ("INT_DIST", "command_keys.int_distinguisher", 8),
        ("ALG_NEA2", "algorithms.nea2", 8),
        ("ALG_NIA2", "algorithms.nia2", 8),
    ];
    for (name, key, bits) in kdf {
        let v = int(key);
        if (bits == 8 && v > 255) || v > 256 {
            fail(&format!(
                "{}: {key} = {v} out of range for the RTL",
                path.display()
            ));
        }
        if bits == 8 {
            gflags.push((name.to_string(), format!("8'h{v:02x}")));
            rust.push((name.to_string(), format!("u8 = {v:#04x}")));
        } else {
            gflags.push((name.to_string(), format!("32'd{v}")));
            rust.push((name.to_string(), format!("usize = {v}")));
        }
    }
    Params { gflags, rust }
}

fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_str = !in_str,
            '#' if !in_str => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The doc comment written above constant `name` in `rtl_params.rs` (the library is built with
/// `#![warn(missing_docs)]`): what the constant means and which Verilog parameter it mirrors.
pub(crate) fn rust_doc(name: &str) -> String {
    let fixed = match name {
        "ADDR_W" => {
            "`ADDR_W` of the engine built: frame buffer address width in bits (a buffer of \
             2^ADDR_W octets; `cmd_len` has ADDR_W + 4 bits)."
        }
        "CLEAR_LEN" => "`CLEAR_LEN`: octets of the clear part (profile `layout.clear_len`).",
        "IND_OFFSET" => {
            "`IND_OFFSET`: offset of the ciphering indication in the clear part (profile \
             `layout.indication_offset`)."
        }
        "IND_NULL" => {
            "`IND_NULL`: indication value for integrity only, null ciphering (profile \
             `layout.indication_null`)."
        }
        "IND_CIPHERED" => {
            "`IND_CIPHERED`: indication value for ciphered with 128-NEA2 (profile \
             `layout.indication_ciphered`)."
        }
        "MAC_TRAILER" => {
            "`MAC_TRAILER`: the MAC field is the last 4 octets (profile `layout.mac_position = \
             \"trailer\"`); false: right after the clear part (\"after-clear\")."
        }
        "FC_A3" => "`FC_A3`: FC of the Annex A.3 KAIOTF derivation (profile `kaiotf.fc`).",
        "NA_OFF" => {
            "`NA_OFF`: DERIVE reads N_AIOTF at the command's address + this (profile \
             `kaiotf.n_aiotf_offset`)."
        }
        "NA_LEN" => "`NA_LEN`: octets of N_AIOTF (profile `kaiotf.n_aiotf_len`).",
        "ND_OFF" => {
            "`ND_OFF`: DERIVE reads N_DEV at the command's address + this (profile \
             `kaiotf.n_dev_offset`)."
        }
        "ND_LEN" => "`ND_LEN`: octets of N_DEV (profile `kaiotf.n_dev_len`).",
        "FC_A4" => {
            "`FC_A4`: FC of the Annex A.4 command key derivation (profile `command_keys.fc`)."
        }
        "ENC_DIST" => {
            "`ENC_DIST`: P0 of the KCommand_enc derivation (profile \
             `command_keys.enc_distinguisher`)."
        }
        "INT_DIST" => {
            "`INT_DIST`: P0 of the KCommand_int derivation (profile \
             `command_keys.int_distinguisher`)."
        }
        "ALG_NEA2" => "`ALG_NEA2`: P1 of the KCommand_enc derivation (profile `algorithms.nea2`).",
        "ALG_NIA2" => "`ALG_NIA2`: P1 of the KCommand_int derivation (profile `algorithms.nia2`).",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    let (dir, what) = match name.split_once('_') {
        Some(("REQ", w)) => ("Command Request (profile `[request]`)", w),
        Some(("RSP", w)) => ("Command Response (profile `[response]`)", w),
        _ => return format!("`{name}`: engine parameter from the profile."),
    };
    let field = match what {
        "COUNT" => "COUNT, 32 bits",
        "BEARER" => "BEARER, 5 bits (0..=31)",
        "DIRECTION" => "DIRECTION, 1 bit (0 uplink, 1 downlink)",
        _ => what,
    };
    format!("`{name}`: 128-NEA2/128-NIA2 input {field} of the {dir}.")
}
