//! The Verilog engine's parameter defaults mirror the provisional profile (the co-simulation build
//! passes the profile's values with -G anyway; this keeps the Icarus testbenches and synthesis
//! reports, which use the defaults, in step with `profiles/provisional.toml`).

use std::collections::HashMap;

use aiotsec::engine::model::FRAME_CAPACITY;
use aiotsec::profile::{MacPosition, Profile};

/// `NAME = value` of every `parameter` in the module header.
fn parameters(src: &str) -> HashMap<String, u64> {
    // Drop `//` comments, then take the module header: from `module` to the end of the port list.
    let code: String = src
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let start = code
        .find("module tag_crypto_engine")
        .expect("module header");
    let code = &code[start..];
    let header = &code[..code.find(");").unwrap_or(code.len())];
    let mut out = HashMap::new();
    for part in header.split("parameter").skip(1) {
        let Some((lhs, rhs)) = part.split_once('=') else {
            continue;
        };
        let name = lhs.split_whitespace().last().unwrap_or("").to_string();
        let value: String = rhs
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '\'' || *c == '_')
            .collect();
        let v = match value.split_once('\'') {
            Some((_, lit)) => {
                let (radix, digits) = lit.split_at(1);
                let r = match radix {
                    "h" | "H" => 16,
                    "b" | "B" => 2,
                    "d" | "D" => 10,
                    other => panic!("radix {other} in {value}"),
                };
                u64::from_str_radix(&digits.replace('_', ""), r).expect("literal")
            }
            None => value.parse().expect("decimal"),
        };
        out.insert(name, v);
    }
    out
}

#[test]
fn engine_defaults_equal_the_provisional_profile() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/hdl/engine/rtl/tag_crypto_engine.v"
    ))
    .expect("hdl/engine/rtl/tag_crypto_engine.v");
    let p = parameters(&src);
    let d = Profile::default();
    let l = &d.layout;
    let expect: [(&str, u64); 12] = [
        ("CLEAR_LEN", l.clear_len as u64),
        ("IND_OFFSET", l.indication_offset as u64),
        ("IND_NULL", l.indication_null as u64),
        ("IND_CIPHERED", l.indication_ciphered as u64),
        (
            "MAC_TRAILER",
            u64::from(l.mac_position == MacPosition::Trailer),
        ),
        ("REQ_COUNT", d.request.count as u64),
        ("REQ_BEARER", d.request.bearer as u64),
        ("REQ_DIRECTION", d.request.direction as u64),
        ("RSP_COUNT", d.response.count as u64),
        ("RSP_BEARER", d.response.bearer as u64),
        ("RSP_DIRECTION", d.response.direction as u64),
        ("FAULT", 0),
    ];
    let k = &d.kaiotf;
    let c = &d.command_keys;
    let kdf: [(&str, u64); 12] = [
        ("FC_A3", k.fc as u64),
        ("NA_OFF", k.n_aiotf_offset as u64),
        ("NA_LEN", k.n_aiotf_len as u64),
        ("ND_OFF", k.n_dev_offset as u64),
        ("ND_LEN", k.n_dev_len as u64),
        ("FC_A4", c.fc as u64),
        ("ENC_DIST", c.enc_distinguisher as u64),
        ("INT_DIST", c.int_distinguisher as u64),
        ("ALG_NEA2", d.algorithms.nea2 as u64),
        ("ALG_NIA2", d.algorithms.nia2 as u64),
        ("HAS_KDF", 1),
        ("RAW_OPS", 1),
    ];
    let expect: Vec<(&str, u64)> = expect.into_iter().chain(kdf).collect();
    for (name, v) in expect {
        assert_eq!(p.get(name), Some(&v), "parameter {name}");
    }
    assert_eq!(1usize << p["ADDR_W"], FRAME_CAPACITY, "frame buffer size");
}
