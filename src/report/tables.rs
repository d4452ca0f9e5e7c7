//! The README's figure tables, generated from `report.json`: each one is wrapped in
//! `<!-- report:NAME -->` ... `<!-- /report:NAME -->` markers, and [`check_readme`] compares the
//! marked sections of a README with the generated ones, so the README cannot drift from the
//! report (`tests/readme_tables.rs`).

use serde_json::Value;

fn f0(v: &Value) -> String {
    v.as_f64()
        .map(|x| format!("{x:.0}"))
        .unwrap_or_else(|| "-".into())
}

fn f1(v: &Value) -> String {
    v.as_f64()
        .map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "-".into())
}

/// Millions with two decimals, or "-".
/// Millions (two decimals); below 0.1 M in thousands (one decimal), so that the slow cocotb anchors
/// of the co-simulation table (a few thousand cycles/s) do not print as "0.00 M".
fn mega(v: &Value) -> String {
    v.as_f64()
        .map(|x| {
            if x.abs() >= 1e5 {
                format!("{:.2} M", x / 1e6)
            } else {
                format!("{:.1} k", x / 1e3)
            }
        })
        .unwrap_or_else(|| "-".into())
}

fn section(name: &str, body: &str) -> String {
    format!("<!-- report:{name} -->\n{body}<!-- /report:{name} -->\n")
}

/// |t| for a table ("certain" where the classes never overlap).
fn tcell(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x >= crate::analysis::tvla::T_CERTAIN => "certain".into(),
        Some(x) => format!("{x:.1}"),
        None => "-".into(),
    }
}

/// Every table that `report.json` has the data for, in page order.
pub fn tables(r: &Value) -> String {
    let mut out = String::new();
    if let Some(hw) = r["hardware"].as_array() {
        let mut b = String::from(
            "| top | GE | flip-flops | iCE40 LCs (core) | placed LCs (with shim) | Fmax UP5K (MHz) |\n|---|---|---|---|---|---|\n",
        );
        for h in hw {
            b.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                h["top"].as_str().unwrap_or("?"),
                f0(&h["ge"]),
                f0(&h["ff_before"]),
                f0(&h["core_lc_est"]),
                f0(&h["ice40_placed_lc"]),
                f1(&h["fmax_mhz"]),
            ));
        }
        out.push_str(&section("hardware", &b));
    }
    if let Some(split) = r["area_split"].as_object() {
        let mut b = String::from("| top | part | GE | iCE40 LCs |\n|---|---|---|---|\n");
        for (top, parts) in split {
            for p in parts.as_array().into_iter().flatten() {
                b.push_str(&format!(
                    "| `{top}` | {} | {} | {} |\n",
                    p["part"].as_str().unwrap_or("?"),
                    f0(&p["ge"]),
                    f0(&p["ice40_lc"]),
                ));
            }
        }
        out.push_str(&section("area-split", &b));
    }
    if let Some(a) = r["anchors"]["aes"].as_array() {
        let mut b = String::from(
            "| AES-128 | GE | cycles / block | kind | source |\n|---|---|---|---|---|\n",
        );
        if let Some(h) = r["hardware"]
            .as_array()
            .and_then(|h| h.iter().find(|x| x["top"] == "aes128_enc"))
        {
            b.push_str(&format!(
                "| `aes128_enc` (this design) | {} | {} | measured, our flow | `scripts/hwreport`, `aiotsec cosim` |\n",
                f0(&h["ge"]),
                f0(&r["aes_block_cycles"]),
            ));
        }
        for x in a {
            b.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                x["name"].as_str().unwrap_or("?"),
                f0(&x["ge"]),
                f0(&x["cycles"]),
                x["kind"].as_str().unwrap_or(""),
                x["source"].as_str().unwrap_or(""),
            ));
        }
        out.push_str(&section("aes-anchors", &b));
    }
    let c = &r["cosim_speed"];
    if c.is_object() {
        let mut b = String::from(
            "| harness | simulated cycles/s | verified AES blocks/s | source |\n|---|---|---|---|\n",
        );
        for x in c["runs"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(c["cpp"].as_array().into_iter().flatten())
            .chain(r["anchors"]["cosim"].as_array().into_iter().flatten())
        {
            b.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                x["harness"].as_str().unwrap_or("?"),
                mega(&x["cycles_per_second"]),
                f0(&x["aes_blocks_per_second"]),
                x["source"].as_str().unwrap_or("measured here"),
            ));
        }
        out.push_str(&section("cosim-speed", &b));
    }
    if let Some(m) = r["model_throughput"].as_array().filter(|m| !m.is_empty()) {
        let mut b = String::from("| benchmark | size (B) | mean | GiB/s |\n|---|---|---|---|\n");
        for x in m {
            let ns = x["ns"].as_f64().unwrap_or(0.0);
            let bytes = x["bytes"].as_f64();
            let gib = match bytes {
                Some(by) if ns > 0.0 => format!("{:.2}", by / ns * 1e9 / f64::from(1u32 << 30)),
                _ => "-".into(),
            };
            let t = if ns >= 1000.0 {
                format!("{:.2} µs", ns / 1000.0)
            } else {
                format!("{ns:.0} ns")
            };
            b.push_str(&format!(
                "| `{}/{}` | {} | {t} | {gib} |\n",
                x["group"].as_str().unwrap_or("?"),
                x["name"].as_str().unwrap_or("?"),
                bytes
                    .map(|v| format!("{v:.0}"))
                    .unwrap_or_else(|| "-".into()),
            ));
        }
        out.push_str(&section("model-throughput", &b));
    }
    let en = &r["energy"];
    if let Some(groups) = en["groups"].as_array() {
        let names: Vec<&str> = groups.iter().filter_map(|g| g[0].as_str()).collect();
        let mut b = String::from("| phase | cycles | toggles | toggles / cycle |");
        for n in &names {
            b.push_str(&format!(" {n} |"));
        }
        b.push_str("\n|---|---|---|---|");
        b.push_str(&"---|".repeat(names.len()));
        b.push('\n');
        for p in en["phases"].as_array().into_iter().flatten() {
            b.push_str(&format!(
                "| {} | {} | {} | {} |",
                p["phase"].as_str().unwrap_or("?"),
                f0(&p["cycles"]),
                f0(&p["toggles"]),
                f1(&p["per_cycle"]),
            ));
            for g in p["by_group"].as_array().into_iter().flatten() {
                b.push_str(&format!(" {} |", f0(g)));
            }
            b.push('\n');
        }
        out.push_str(&section("energy", &b));
    }
    let lk = &r["leakage"];
    if let Some(tests) = lk["tests"].as_array() {
        let mut b = String::from(
            "| test | traces (fixed + random) | phase | max \\|t\\| all registers | max \\|t\\| all but the key ring | leaking group(s) |\n|---|---|---|---|---|---|\n",
        );
        for t in tests {
            let chans = t["channels"].as_array().cloned().unwrap_or_default();
            let ch = |name: &str| chans.iter().find(|c| c["name"] == name).cloned();
            let all = ch("all registers");
            let nr = ch("all but the key ring");
            for (i, p) in t["phases"].as_array().into_iter().flatten().enumerate() {
                let leaking: Vec<String> = chans
                    .iter()
                    .filter(|c| c["name"] != "all registers" && c["name"] != "all but the key ring")
                    .filter(|c| {
                        c["phases"][i]["max_abs_t"].as_f64().unwrap_or(0.0)
                            > crate::analysis::tvla::THRESHOLD
                    })
                    .filter_map(|c| c["name"].as_str().map(String::from))
                    .collect();
                b.push_str(&format!(
                    "| {} | {} + {} | {} | {} | {} | {} |\n",
                    t["test"].as_str().unwrap_or("?"),
                    f0(&t["traces"][0]),
                    f0(&t["traces"][1]),
                    p["name"].as_str().unwrap_or("?"),
                    all.as_ref()
                        .map(|c| tcell(&c["phases"][i]["max_abs_t"]))
                        .unwrap_or_default(),
                    nr.as_ref()
                        .map(|c| tcell(&c["phases"][i]["max_abs_t"]))
                        .unwrap_or_default(),
                    if leaking.is_empty() {
                        "-".into()
                    } else {
                        leaking.join(", ")
                    },
                ));
            }
        }
        out.push_str(&section("tvla", &b));
        let mut c = String::from("| check | holds | figure |\n|---|---|---|\n");
        for x in lk["checks"].as_array().into_iter().flatten() {
            c.push_str(&format!(
                "| {} | {} | {} |\n",
                x["name"].as_str().unwrap_or("?"),
                if x["holds"].as_bool() == Some(true) {
                    "yes"
                } else {
                    "**no**"
                },
                x["detail"].as_str().unwrap_or("").replace('|', "\\|"),
            ));
        }
        out.push_str(&section("tvla-checks", &c));
    }
    out
}

/// The sections `<!-- report:NAME -->` ... `<!-- /report:NAME -->` of `text`, by name.
pub fn sections(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(a) = rest.find("<!-- report:") {
        let after = &rest[a + "<!-- report:".len()..];
        let Some(e) = after.find(" -->") else { break };
        let name = after[..e].to_string();
        let body_start = &after[e + " -->".len()..];
        let body_start = body_start.strip_prefix('\n').unwrap_or(body_start);
        let close = format!("<!-- /report:{name} -->");
        let Some(z) = body_start.find(&close) else {
            break;
        };
        out.push((name, body_start[..z].to_string()));
        rest = &body_start[z + close.len()..];
    }
    out
}

/// The differences between the marked sections of `readme` and the generated `tables`: one line
/// per section of the README that the tables lack or that differs from them.
pub fn check_readme(readme: &str, tables: &str) -> Vec<String> {
    let generated = sections(tables);
    let mut bad = Vec::new();
    for (name, body) in sections(readme) {
        match generated.iter().find(|(n, _)| *n == name) {
            None => bad.push(format!("README section {name}: not in the generated tables")),
            Some((_, g)) if g.trim_end() != body.trim_end() => bad.push(format!(
                "README section {name} differs from the report (regenerate with scripts/report and copy report/tables.md)"
            )),
            Some(_) => {}
        }
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sections_round_trip_and_drift_is_found() {
        let r = json!({"hardware": [{"top": "aes128_enc", "ge": 3484.0, "ff_before": 268,
            "core_lc_est": 671, "ice40_placed_lc": 928, "fmax_mhz": 36.6}]});
        let t = tables(&r);
        let s = sections(&t);
        assert_eq!(s.len(), 1);
        assert!(
            s[0].1
                .contains("| `aes128_enc` | 3484 | 268 | 671 | 928 | 36.6 |")
        );
        let readme = format!("# x\n\ntext\n{t}\nmore\n");
        assert!(check_readme(&readme, &t).is_empty());
        let drifted = readme.replace("3484", "3400");
        assert_eq!(check_readme(&drifted, &t).len(), 1);
        let unknown = format!("{readme}<!-- report:nope -->\nx\n<!-- /report:nope -->\n");
        assert_eq!(check_readme(&unknown, &t).len(), 1);
        assert!(check_readme("no markers", &t).is_empty());
    }

    #[test]
    fn mega_switches_to_thousands_below_a_tenth_of_a_million() {
        assert_eq!(mega(&json!(561_616.6)), "0.56 M");
        assert_eq!(mega(&json!(100_000.0)), "0.10 M");
        assert_eq!(mega(&json!(99_949.0)), "99.9 k");
        assert_eq!(mega(&json!(5435.0)), "5.4 k");
        assert_eq!(mega(&Value::Null), "-");
    }
}
