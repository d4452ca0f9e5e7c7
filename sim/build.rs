//! Build script: Verilates the RTL engine (feature `rtl`, on by default) and compiles it, Verilator's
//! runtime and `sim/shim.cpp` into one static library linked into the crate.
//!
//! * `aes128_enc` (prefix `Vaes`), `tag_crypto_engine` (prefix `Vtce`) and two deliberately faulty
//!   builds of the engine, `-GFAULT=1` (`Vtce_f1`) and `-GFAULT=2` (`Vtce_f2`), used by the "the
//!   co-simulation must be able to fail" tests.
//! * The engine's layout and COUNT/BEARER/DIRECTION parameters are set with `-G` from
//!   `profiles/provisional.toml`, so the profile stays the one source of truth; the values built in
//!   are written to `$OUT_DIR/rtl_params.rs` for `RtlEngine::new` to check a profile against.
//! * Registers marked `/* verilator public_flat_rd */` in hdl/ are the secret registers; a
//!   popcount over all of them is generated into `$OUT_DIR/secrets_gen.h` for the zeroization check.
//!
//! Environment: `AIOTSEC_HDL_DIR` overrides the RTL directory, `VERILATOR` the executable.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Frame-buffer address width the engine is built with (4096-octet buffer).
const ADDR_W: u32 = 12;

fn fail(msg: &str) -> ! {
    eprintln!("\n*** aiotsec build (feature `rtl`): {msg}\n");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    println!("cargo:rerun-if-changed=sim/build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_RTL");
    if env::var_os("CARGO_FEATURE_RTL").is_none() {
        return;
    }
    println!("cargo:rerun-if-env-changed=AIOTSEC_HDL_DIR");
    println!("cargo:rerun-if-env-changed=VERILATOR");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR not set")));
    let hdl = env::var_os("AIOTSEC_HDL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("hdl"));
    let profile_path = manifest.join("profiles/provisional.toml");
    let shim = manifest.join("sim/shim.cpp");
    println!("cargo:rerun-if-changed={}", profile_path.display());
    println!("cargo:rerun-if-changed={}", shim.display());
    println!("cargo:rerun-if-changed={}", hdl.display());

    let verilator = env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
    let root = match Command::new(&verilator)
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
    {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => fail(
            "`verilator` was not found on PATH. Install it with `scripts/bootstrap` \
             (apt-get install verilator), or build without the RTL backend: \
             `cargo build --no-default-features`.",
        ),
    };
    let include = root.join("include");

    // RTL sources: every hdl/*.v except testbenches and FPGA tops.
    let mut sources: Vec<PathBuf> = fs::read_dir(&hdl)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    n.ends_with(".v") && !n.ends_with("_tb.v") && !n.ends_with("_ice40.v")
                })
                .collect()
        })
        .unwrap_or_default();
    sources.sort();
    for s in &sources {
        println!("cargo:rerun-if-changed={}", s.display());
    }
    let names: Vec<String> = sources
        .iter()
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(String::from))
        .collect();
    for need in ["aes128_enc.v", "tag_crypto_engine.v"] {
        if !names.iter().any(|n| n == need) {
            fail(&format!(
                "{} has no {need}; the RTL backend cannot be built (build with \
                 `--no-default-features` to leave it out)",
                hdl.display()
            ));
        }
    }

    let params = profile_params(&profile_path);
    let mut gparams: Vec<String> = vec![format!("-GADDR_W={ADDR_W}")];
    for (k, v) in &params.gflags {
        gparams.push(format!("-G{k}={v}"));
    }

    // Verilate the four models in parallel.
    struct Model {
        prefix: &'static str,
        top: &'static str,
        extra: Vec<String>,
    }
    let mut models = vec![
        Model {
            prefix: "Vaes",
            top: "aes128_enc",
            extra: vec![],
        },
        Model {
            prefix: "Vtce",
            top: "tag_crypto_engine",
            extra: gparams.clone(),
        },
    ];
    for f in [1, 2] {
        let mut extra = gparams.clone();
        extra.push(format!("-GFAULT={f}"));
        models.push(Model {
            prefix: if f == 1 { "Vtce_f1" } else { "Vtce_f2" },
            top: "tag_crypto_engine",
            extra,
        });
    }
    let errors = Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for m in &models {
            let (out, sources, verilator, errors) = (&out, &sources, &verilator, &errors);
            s.spawn(move || {
                let mdir = out.join(m.prefix);
                let _ = fs::remove_dir_all(&mdir);
                let mut cmd = Command::new(verilator);
                cmd.args([
                    "--cc",
                    "--no-timing",
                    "-O3",
                    "--x-assign",
                    "fast",
                    "--x-initial",
                    "fast",
                ])
                .args([
                    "--trace",
                    "--noassert",
                    "-Wno-fatal",
                    "-Wno-lint",
                    "-Wno-style",
                ])
                .args(["--top-module", m.top, "--prefix", m.prefix])
                .arg("--Mdir")
                .arg(&mdir)
                .args(&m.extra)
                .args(sources);
                match cmd.output() {
                    Ok(o) if o.status.success() => {}
                    Ok(o) => errors
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!(
                            "verilator ({}) failed:\n{}",
                            m.prefix,
                            String::from_utf8_lossy(&o.stderr)
                        )),
                    Err(e) => errors
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!("cannot run verilator: {e}")),
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap_or_default();
    if !errors.is_empty() {
        fail(&errors.join("\n"));
    }

    // Secret registers: names marked public_flat_rd in the sources, matched in each root header
    // against the variables Verilator registered as public (its `__Syms.cpp`), so that a register
    // of another module with the same leaf name (the engine's FSM `state_q` next to the AES core's
    // `state_q`) is not counted.
    let secret_names = secret_register_names(&sources);
    let mut hdr = String::from("// Generated by sim/build.rs. Do not edit.\n#pragma once\n");
    for m in &models {
        let root_h = out.join(m.prefix).join(format!("{}___024root.h", m.prefix));
        let text = fs::read_to_string(&root_h)
            .unwrap_or_else(|e| fail(&format!("{}: {e}", root_h.display())));
        let syms_cpp = out.join(m.prefix).join(format!("{}__Syms.cpp", m.prefix));
        let public = fs::read_to_string(&syms_cpp)
            .map(|t| public_vars(&t))
            .unwrap_or_default();
        if public.is_empty() {
            println!(
                "cargo:warning=no public variables found in {}: secret registers matched by leaf \
                 name only",
                syms_cpp.display()
            );
        }
        let mut members = secret_members(&text, &secret_names);
        if !public.is_empty() {
            members.retain(|mem| public.iter().any(|p| p == mem));
        }
        if m.top == "tag_crypto_engine" && members.is_empty() {
            println!(
                "cargo:warning=no /* verilator public_flat_rd */ registers found in {}: the \
                 zeroization check reads nothing",
                hdl.display()
            );
        }
        hdr.push_str(&format!("#include \"{}___024root.h\"\n", m.prefix));
        hdr.push_str(&format!(
            "static inline uint32_t {p}_secret_bits_impl({p}___024root* r) {{\n  uint32_t n = 0;\n",
            p = m.prefix
        ));
        for mem in &members {
            hdr.push_str(&format!("  n += aiotsec_popcount(r->{mem});\n"));
        }
        hdr.push_str("  return n;\n}\n");
        hdr.push_str(&format!(
            "static const char* const {p}_secret_names = \"{}\";\n",
            members.join(","),
            p = m.prefix
        ));
    }
    write_if_changed(&out.join("secrets_gen.h"), &hdr);

    // Constants the Rust side checks a profile against.
    let mut rs = String::from("// Generated by sim/build.rs from profiles/provisional.toml.\n");
    rs.push_str(&format!("pub const ADDR_W: u32 = {ADDR_W};\n"));
    for (k, v) in &params.rust {
        rs.push_str(&format!("pub const {k}: {v};\n"));
    }
    write_if_changed(&out.join("rtl_params.rs"), &rs);

    // C++: every generated file plus the runtime plus the shim, compiled in parallel, one archive.
    let mut jobs: Vec<(PathBuf, bool)> = Vec::new(); // (file, slow)
    for m in &models {
        let mdir = out.join(m.prefix);
        let mut files: Vec<PathBuf> = fs::read_dir(&mdir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "cpp"));
        files.sort();
        for f in files {
            let slow = f
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("__Slow"));
            jobs.push((f, slow));
        }
    }
    for rt in [
        "verilated.cpp",
        "verilated_threads.cpp",
        "verilated_vcd_c.cpp",
    ] {
        jobs.push((include.join(rt), true));
    }
    jobs.push((shim.clone(), false));
    // Largest first for a better schedule.
    jobs.sort_by_key(|(f, _)| std::cmp::Reverse(fs::metadata(f).map(|m| m.len()).unwrap_or(0)));

    let incs: Vec<PathBuf> = std::iter::once(include.clone())
        .chain(std::iter::once(include.join("vltstd")))
        .chain(models.iter().map(|m| out.join(m.prefix)))
        .chain(std::iter::once(out.clone()))
        .collect();
    let base = |slow: bool| {
        let mut b = cc::Build::new();
        b.cpp(true)
            .std("c++17")
            .opt_level(if slow { 1 } else { 3 })
            .debug(false)
            .warnings(false)
            .cargo_metadata(false)
            .flag_if_supported("-faligned-new")
            .flag_if_supported("-fno-math-errno")
            .define("VM_COVERAGE", "0")
            .define("VM_SC", "0")
            .define("VM_TRACE", "1")
            .define("VM_TRACE_VCD", "1")
            .define("VM_TRACE_FST", "0")
            .define("VL_THREADED", "1");
        for i in &incs {
            b.include(i);
        }
        b
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let queue = Mutex::new(jobs);
    let objects = Mutex::new(Vec::<PathBuf>::new());
    let cerrs = Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some((file, slow)) = job else { break };
                    let mut b = base(slow);
                    b.file(&file);
                    match b.try_compile_intermediates() {
                        Ok(objs) => objects
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend(objs),
                        Err(e) => cerrs
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(format!("{}: {e}", file.display())),
                    }
                }
            });
        }
    });
    let cerrs = cerrs.into_inner().unwrap_or_default();
    if !cerrs.is_empty() {
        fail(&format!("C++ compilation failed:\n{}", cerrs.join("\n")));
    }
    let mut objs = objects.into_inner().unwrap_or_default();
    objs.sort();
    let mut ar = base(false);
    ar.cargo_metadata(true);
    ar.objects(&objs);
    if let Err(e) = ar.try_compile("aiotsec_sim") {
        fail(&format!("archiving the simulation library failed: {e}"));
    }
    println!("cargo:rustc-link-lib=pthread");
}

fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text)
        && let Err(e) = fs::write(path, text)
    {
        fail(&format!("{}: {e}", path.display()));
    }
}

/// Identifiers declared on a line carrying `verilator public_flat_rd` (or `public_flat_rw`).
fn secret_register_names(sources: &[PathBuf]) -> Vec<String> {
    let mut names = Vec::new();
    for src in sources {
        let Ok(text) = fs::read_to_string(src) else {
            continue;
        };
        for line in text.lines() {
            let Some(pos) = line.find("verilator public_flat_r") else {
                continue;
            };
            let before = &line[..pos];
            let before = before.rfind("/*").map(|i| &before[..i]).unwrap_or(before);
            // Declarations like `reg [127:0] a, b /* ... */;` : take every identifier after the type.
            let decl = before.split(']').next_back().unwrap_or(before);
            for tok in decl.split([',', ' ', '\t', ';', '=']) {
                let t = tok.trim();
                if !t.is_empty()
                    && t.chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !matches!(
                        t,
                        "reg" | "wire" | "logic" | "output" | "input" | "signed" | "integer"
                    )
                {
                    names.push(t.to_string());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Root members Verilator registered as public variables, from the `varInsert(...,
/// &(TOP.<member>), ...)` lines of a model's `__Syms.cpp` (`TOPp-><member>` in older versions).
fn public_vars(syms_cpp: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in syms_cpp.lines().filter(|l| l.contains("varInsert(")) {
        let Some(rest) = line
            .split_once("&(TOP.")
            .or_else(|| line.split_once("&(TOPp->"))
            .map(|(_, r)| r)
        else {
            continue;
        };
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !ident.is_empty() {
            out.push(ident);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Members of a Verilated root class whose hierarchical name ends in one of `names`.
fn secret_members(root_h: &str, names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in root_h.lines() {
        let l = line.trim();
        // e.g. `VlWide<4>/*127:0*/ tag_crypto_engine__DOT__key_enc_q;` or `CData/*7:0*/ x;`
        if !l.ends_with(';') || l.contains('(') || l.starts_with("//") {
            continue;
        }
        let Some(ident) = l.trim_end_matches(';').split_whitespace().next_back() else {
            continue;
        };
        let ident = ident.rsplit("*/").next().unwrap_or(ident);
        let leaf = ident.rsplit("__DOT__").next().unwrap_or(ident);
        if ident.contains("__DOT__") && names.iter().any(|n| n == leaf) {
            out.push(ident.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

struct Params {
    /// `-G` overrides for the engine.
    gflags: Vec<(String, String)>,
    /// Rust constants: (NAME, "type = value").
    rust: Vec<(String, String)>,
}

/// Reads the few profile values the RTL is parameterised with. A deliberately small TOML reader
/// (sections, `key = value`, comments, integers in decimal/hex, quoted strings): enough for the
/// profile file, with a clear error on anything it cannot read.
fn profile_params(path: &Path) -> Params {
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
