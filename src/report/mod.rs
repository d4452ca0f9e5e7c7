//! The hardware report: `build` (feature `report`, for the plots) reads the measurements `scripts/report` collected
//! into a data folder (hwreport, the per-module area split, the co-simulation speed runs, the
//! criterion estimates, the energy proxy and the TVLA), writes `report.json` (every figure),
//! the plots as SVG (the `plotters` crate), `tables.md` (the README's figure tables, generated
//! from `report.json`) and `index.html`.
//!
//! Inputs are JSON files read with a size bound; a missing input leaves its section out (and says
//! so in the page) rather than failing, so that `--quick` can skip the slow measurements.

#[cfg(feature = "report")]
mod plots;
pub mod tables;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// What can go wrong while building the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An input or output file.
    #[error("{path}: {msg}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        msg: String,
    },
    /// An input that is not the JSON expected.
    #[error("{path}: not valid JSON: {msg}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        msg: String,
    },
    /// A plot could not be drawn.
    #[error("plot {name}: {msg}")]
    Plot {
        /// The plot's file name.
        name: String,
        /// The drawing backend's message.
        msg: String,
    },
}

/// Largest input file read (the t curves of three tests are a few MiB).
const MAX_INPUT: u64 = 64 << 20;

/// Read `dir/name` as JSON; `Ok(None)` if it does not exist.
pub fn read_json(dir: &Path, name: &str) -> Result<Option<Value>, ReportError> {
    let path = dir.join(name);
    let f = match fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ReportError::Io {
                path,
                msg: e.to_string(),
            });
        }
    };
    let mut text = String::new();
    f.take(MAX_INPUT + 1)
        .read_to_string(&mut text)
        .map_err(|e| ReportError::Io {
            path: path.clone(),
            msg: e.to_string(),
        })?;
    if text.len() as u64 > MAX_INPUT {
        return Err(ReportError::Io {
            path,
            msg: format!("larger than {MAX_INPUT} octets"),
        });
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| ReportError::Json {
            path,
            msg: e.to_string(),
        })
}

#[cfg(feature = "report")]
fn write(path: &Path, text: &str) -> Result<(), ReportError> {
    fs::write(path, text).map_err(|e| ReportError::Io {
        path: path.to_path_buf(),
        msg: e.to_string(),
    })
}

/// The part of the design a Verilog module belongs to, for the stacked area plot.
pub fn module_part(module: &str) -> &'static str {
    // yosys names a parametrized module `$paramod\NAME\P=V` or `$paramod$HASH\NAME`
    let mut it = module.split('\\');
    let first = it.next().unwrap_or(module);
    let name = if first.starts_with("$paramod") {
        it.next().unwrap_or(module)
    } else {
        first
    };
    let m = name.to_ascii_lowercase();
    if m.contains("sha") || m.contains("hmac") || m.contains("kdf") {
        crate::analysis::KDF_GROUP
    } else if m.contains("uart") || m.contains("bridge") {
        "UART/bridge"
    } else if m.contains("aes") {
        "AES"
    } else {
        "engine control"
    }
}

/// Transistors of one D flip-flop in the GE flow (`stat -tech cmos`: `$_DFF_P_`).
pub const DFF_TRANSISTORS: f64 = 16.0;

/// The area split of each top: per part, GE (from the per-module `stat -tech cmos`, with the key
/// ring's and the park register's flip-flops taken out of the engine's module, at
/// [`DFF_TRANSISTORS`] each, from the register bits of the energy report) and iCE40 LCs
/// (max(LUT4, FF) per module of an unflattened `synth_ice40`).
pub fn area_split(parts: &Value, energy: Option<&Value>) -> Value {
    let reg_bits = |g: &str| -> f64 {
        energy
            .and_then(|e| e["groups"].as_array())
            .and_then(|gs| {
                gs.iter()
                    .find(|x| x[0].as_str() == Some(g))
                    .and_then(|x| x[1].as_f64())
            })
            .unwrap_or(0.0)
    };
    let mut out = serde_json::Map::new();
    let Some(tops) = parts.as_object() else {
        return Value::Object(out);
    };
    for (top, mods) in tops {
        let mut split: Vec<(String, f64, f64)> = Vec::new();
        let mut add = |part: &str, ge: f64, lc: f64| match split.iter_mut().find(|p| p.0 == part) {
            Some(p) => {
                p.1 += ge;
                p.2 += lc;
            }
            None => split.push((part.to_string(), ge, lc)),
        };
        for m in mods.as_array().into_iter().flatten() {
            let name = m["module"].as_str().unwrap_or("");
            let ge = m["transistors"].as_f64().unwrap_or(0.0) / 4.0;
            let lc = m["lut4"]
                .as_f64()
                .unwrap_or(0.0)
                .max(m["ff"].as_f64().unwrap_or(0.0));
            let part = module_part(name);
            if part == "engine control" && name.contains("tag_crypto_engine") {
                // the key ring and park register are flip-flops of the engine's own module
                let mut rest = ge;
                for g in ["key ring", "park register"] {
                    let ffge = reg_bits(g) * DFF_TRANSISTORS / 4.0;
                    if ffge > 0.0 && ffge < rest {
                        add(g, ffge, 0.0);
                        rest -= ffge;
                    }
                }
                add(part, rest, lc);
            } else {
                add(part, ge, lc);
            }
        }
        out.insert(
            top.clone(),
            Value::Array(
                split
                    .into_iter()
                    .map(|(p, ge, lc)| json!({"part": p, "ge": ge.round(), "ice40_lc": lc}))
                    .collect(),
            ),
        );
    }
    Value::Object(out)
}

/// What [`build`] wrote.
#[cfg(feature = "report")]
#[derive(Debug, Clone)]
pub struct Built {
    /// Files written under the output folder.
    pub files: Vec<PathBuf>,
    /// Sections left out for want of their input.
    pub missing: Vec<String>,
}

/// Build the report from the measurements in `data` into `out` (created if needed).
#[cfg(feature = "report")]
pub fn build(data: &Path, out: &Path, meta: Value) -> Result<Built, ReportError> {
    fs::create_dir_all(out).map_err(|e| ReportError::Io {
        path: out.to_path_buf(),
        msg: e.to_string(),
    })?;
    let mut missing = Vec::new();
    let mut get = |name: &str| -> Result<Option<Value>, ReportError> {
        let v = read_json(data, name)?;
        if v.is_none() {
            missing.push(name.to_string());
        }
        Ok(v)
    };
    let hw = get("hwreport.json")?;
    let parts = get("parts.json")?;
    let energy = get("energy.json")?;
    let leakage = get("leakage.json")?;
    let curves = get("leakage_curves.json")?;
    let cosim = get("cosim_speed.json")?;
    let model = get("criterion.json")?;
    let anchors = get("anchors.json")?;
    let split = parts.as_ref().map(|p| area_split(p, energy.as_ref()));
    let mut report = json!({
        "meta": meta,
        "hardware": hw,
        "area_split": split,
        "anchors": anchors,
        "cosim_speed": cosim,
        "model_throughput": model,
        "energy": energy,
        "leakage": leakage,
        "missing_inputs": missing,
    });
    // the AES block's cycles from the co-simulation's stall-free operation counts
    if let Some(c) = report["cosim_speed"]["runs"]
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r["aes_block_cycles"].as_u64())
    {
        report["aes_block_cycles"] = json!(c);
    }
    let mut files = Vec::new();
    let mut plot = |name: &str, r: Result<bool, String>| -> Result<(), ReportError> {
        match r {
            Ok(true) => {
                files.push(out.join(name));
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(msg) => Err(ReportError::Plot {
                name: name.into(),
                msg,
            }),
        }
    };
    plot("area.svg", plots::area(&out.join("area.svg"), &report))?;
    plot(
        "area_vs_cycles.svg",
        plots::area_vs_cycles(&out.join("area_vs_cycles.svg"), &report),
    )?;
    plot(
        "cosim_speed.svg",
        plots::cosim_speed(&out.join("cosim_speed.svg"), &report),
    )?;
    plot(
        "model_throughput.svg",
        plots::model_throughput(&out.join("model_throughput.svg"), &report),
    )?;
    plot(
        "energy.svg",
        plots::energy(&out.join("energy.svg"), &report),
    )?;
    for (test, name) in [
        ("plaintext", "tvla_plaintext.svg"),
        ("key", "tvla_key.svg"),
        ("mac-compare", "tvla_mac_compare.svg"),
    ] {
        plot(name, plots::tvla(&out.join(name), curves.as_ref(), test))?;
    }
    let tables = tables::tables(&report);
    write(&out.join("tables.md"), &tables)?;
    files.push(out.join("tables.md"));
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    write(&out.join("report.json"), &text)?;
    files.push(out.join("report.json"));
    let html = page(&report, &tables, &files);
    write(&out.join("index.html"), &html)?;
    files.push(out.join("index.html"));
    Ok(Built { files, missing })
}

#[cfg(feature = "report")]
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The HTML page: each plot, then the tables (as preformatted Markdown).
#[cfg(feature = "report")]
fn page(report: &Value, tables: &str, files: &[PathBuf]) -> String {
    let mut h = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>aiotsec hardware report</title>\
         <style>body{font-family:sans-serif;max-width:1000px;margin:auto}img{max-width:100%;border:1px solid #ddd;margin:8px 0}pre{background:#f6f6f6;padding:8px;overflow-x:auto}</style></head><body>\n<h1>aiotsec hardware report</h1>\n",
    );
    h.push_str(&format!("<p>{}</p>\n", esc(&report["meta"].to_string())));
    if let Some(m) = report["missing_inputs"]
        .as_array()
        .filter(|m| !m.is_empty())
    {
        h.push_str(&format!(
            "<p><b>Not measured in this run:</b> {}</p>\n",
            esc(&m
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", "))
        ));
    }
    for f in files {
        if f.extension().is_some_and(|e| e == "svg")
            && let Some(n) = f.file_name().and_then(|n| n.to_str())
        {
            h.push_str(&format!("<h2>{n}</h2>\n<img src=\"{n}\" alt=\"{n}\">\n"));
        }
    }
    h.push_str("<h2>Tables (tables.md)</h2>\n<pre>");
    h.push_str(&esc(tables));
    h.push_str("</pre>\n<p>Every figure: <a href=\"report.json\">report.json</a>. Criterion's own HTML reports, when run: <a href=\"criterion/report/index.html\">criterion/report/index.html</a>.</p>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_split_takes_the_ring_and_park_flops_out_of_the_engine_module() {
        let parts = json!({"tag_crypto_engine": [
            {"module": "$paramod$x\\aes128_core", "transistors": 10852, "lut4": 323, "ff": 276},
            {"module": "$paramod\\aes_sbox\\FAULT=s32'0", "transistors": 1216, "lut4": 66, "ff": 0},
            {"module": "tag_crypto_engine", "transistors": 15160, "lut4": 588, "ff": 96}
        ]});
        let energy =
            json!({"groups": [["key ring", 256], ["park register", 128], ["AES state", 128]]});
        let s = area_split(&parts, Some(&energy));
        let e = s["tag_crypto_engine"].as_array().unwrap();
        let get = |p: &str| e.iter().find(|x| x["part"] == p).unwrap().clone();
        assert_eq!(get("AES")["ge"], json!(3017.0)); // (10852 + 1216) / 4
        assert_eq!(get("key ring")["ge"], json!(1024.0)); // 256 flops * 16 / 4
        assert_eq!(get("park register")["ge"], json!(512.0));
        assert_eq!(get("engine control")["ge"], json!(3790.0 - 1536.0));
        assert_eq!(get("AES")["ice40_lc"], json!(323.0 + 66.0));
        assert_eq!(module_part("sha256_core"), "SHA-256/KDF");
        assert_eq!(module_part("$paramod\\aes_sbox\\FAULT=s32'0"), "AES");
        assert_eq!(module_part("$paramod$ab12\\aes128_core"), "AES");
        assert_eq!(module_part("tag_crypto_engine"), "engine control");
        assert_eq!(module_part("engine_uart_bridge"), "UART/bridge");
    }
}
