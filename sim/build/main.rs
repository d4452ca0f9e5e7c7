//! Build script: Verilates the RTL engine (feature `rtl`, on by default) and compiles it, Verilator's
//! runtime and `sim/shim.cpp` into one static library linked into the crate.
//!
//! * The RTL is the `default` target of the FuseSoC core `aiotsec:ip:tag_crypto_engine`
//!   (`hdl/engine/tag_crypto_engine.core`) with the `aiotsec:ip:aes128` core it depends on, read by
//!   `cores.rs`: the `.core` files are the one list of which file is RTL (no file-name rules).
//! * `aes128_enc` (prefix `Vaes`), `tag_crypto_engine` (prefix `Vtce`) and three deliberately
//!   faulty builds of the engine, `-GFAULT=1` (`Vtce_f1`, CMAC K2), `-GFAULT=2` (`Vtce_f2`, S-box)
//!   and `-GFAULT=3` (`Vtce_f3`, a SHA-256 rotation), used by the "the co-simulation must be able
//!   to fail" tests (`verilate.rs`).
//! * The engine's layout and COUNT/BEARER/DIRECTION parameters are set with `-G` from
//!   `profiles/provisional.toml`, so the profile stays the one source of truth; the values built in
//!   are written to `$OUT_DIR/rtl_params.rs` for `RtlEngine::new` to check a profile against
//!   (`params.rs`).
//! * Registers marked `/* verilator public_flat_rd */` in the RTL are the secret registers; a
//!   popcount over all of them is generated into `$OUT_DIR/secrets_gen.h` for the zeroization
//!   check (`secrets.rs`).
//!
//! * Under `cargo clippy` (`RUSTC_WORKSPACE_WRAPPER` is clippy-driver: a check, nothing linked)
//!   only `rtl_params.rs` is written; the Verilating and the C++ build are left to the builds
//!   that link the library (their build-script runs are not shared with clippy's anyway).
//!
//! Environment: `AIOTSEC_HDL_DIR` overrides the root of the cores (default `hdl/`), `VERILATOR`
//! the executable.

mod bridge;
mod cores;
mod params;
mod regs;
mod secrets;
mod verilate;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use verilate::Model;

/// Frame-buffer address width the engine is built with (4096-octet buffer).
const ADDR_W: u32 = 12;

/// The core whose RTL is Verilated (with its dependencies).
const ENGINE_CORE: &str = "aiotsec:ip:tag_crypto_engine";

fn fail(msg: &str) -> ! {
    eprintln!("\n*** aiotsec build (feature `rtl`): {msg}\n");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    for f in [
        "main.rs",
        "bridge.rs",
        "cores.rs",
        "params.rs",
        "regs.rs",
        "secrets.rs",
        "verilate.rs",
    ] {
        println!("cargo:rerun-if-changed=sim/build/{f}");
    }
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
    println!(
        "cargo:rerun-if-changed={}",
        shim.with_file_name("guarded_vcd_file.h").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        shim.with_file_name("fst_writer.cpp").display()
    );

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

    let sources = rtl_sources(&hdl);

    let params = params::profile_params(&profile_path);
    let mut gparams: Vec<String> = vec![format!("-GADDR_W={ADDR_W}")];
    for (k, v) in &params.gflags {
        gparams.push(format!("-G{k}={v}"));
    }

    // The models, Verilated in parallel.
    let mut models = vec![
        Model {
            prefix: "Vaes",
            top: "aes128_enc",
            extra: vec![],
            fst: false,
        },
        Model {
            prefix: "Vtce",
            top: "tag_crypto_engine",
            extra: gparams.clone(),
            fst: false,
        },
        // The same build traced to FST (`cosim --fst`).
        Model {
            prefix: "Vtce_fst",
            top: "tag_crypto_engine",
            extra: gparams.clone(),
            fst: true,
        },
    ];
    for (f, prefix) in [(1, "Vtce_f1"), (2, "Vtce_f2"), (3, "Vtce_f3")] {
        let mut extra = gparams.clone();
        extra.push(format!("-GFAULT={f}"));
        models.push(Model {
            prefix,
            top: "tag_crypto_engine",
            extra,
            fst: false,
        });
    }
    // TEST ONLY: the engine with a planted leak (hdl/leak), the leakage analysis's positive control.
    let mut extra = gparams.clone();
    extra.extend(leak_sources(&hdl, &sources));
    models.push(Model {
        prefix: "Vtce_leak",
        top: LEAK_TOP,
        extra,
        fst: false,
    });
    // The board model (feature `serial`): its own sources, Verilated beside the others.
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SERIAL");
    let mut board_gparams: Vec<String> = vec![format!("-GADDR_W={ADDR_W}")];
    for (k, v) in &params.gflags {
        if !params::KDF_PARAMS.contains(&k.as_str()) {
            board_gparams.push(format!("-G{k}={v}"));
        }
    }
    let board = env::var_os("CARGO_FEATURE_SERIAL").map(|_| bridge::model(&hdl, &board_gparams));

    // Constants the Rust side checks a profile against.
    let mut rs =
        String::from("// Generated by sim/build/main.rs from profiles/provisional.toml.\n");
    rs.push_str(&format!("/// {}\n", params::rust_doc("ADDR_W")));
    rs.push_str(&format!("pub const ADDR_W: u32 = {ADDR_W};\n"));
    for (k, v) in &params.rust {
        rs.push_str(&format!("/// {}\n", params::rust_doc(k)));
        rs.push_str(&format!("pub const {k}: {v};\n"));
    }
    if board.is_some() {
        rs.push_str(&bridge::rust_params());
    }
    write_if_changed(&out.join("rtl_params.rs"), &rs);

    // Under `cargo clippy` (a check: nothing is linked) the Rust side needs only rtl_params.rs;
    // the Verilated C++ (about 2 CPU-minutes) is built by the builds that link it.
    println!("cargo:rerun-if-env-changed=RUSTC_WORKSPACE_WRAPPER");
    if env::var("RUSTC_WORKSPACE_WRAPPER").is_ok_and(|w| w.contains("clippy-driver")) {
        return;
    }

    std::thread::scope(|s| {
        if let Some((m, src)) = &board {
            let (verilator, out) = (&verilator, &out);
            s.spawn(move || verilate::verilate(std::slice::from_ref(m), src, verilator, out));
        }
        verilate::verilate(&models, &sources, &verilator, &out);
    });

    secrets::write_header(&models, &sources, &out, &hdl);
    regs::write_header(&models, &sources, &out);

    let mut shims = vec![shim];
    if let Some((m, _)) = board {
        let bridge_shim = manifest.join("sim/bridge_shim.cpp");
        println!("cargo:rerun-if-changed={}", bridge_shim.display());
        shims.push(bridge_shim);
        models.push(m);
    }
    verilate::compile_library(&models, &include, &shims, &out);
}

/// The RTL files of [`ENGINE_CORE`] and its dependencies under the cores root `hdl`, sorted by file
/// name (the order of the flat `hdl/` they were first Verilated in), each watched for changes, as
/// are the `.core` files.
fn rtl_sources(hdl: &Path) -> Vec<PathBuf> {
    let cores = cores::Cores::load(hdl).unwrap_or_else(|e| {
        fail(&format!(
            "reading the FuseSoC cores under {}: {e} (build with `--no-default-features` to \
             leave the RTL backend out)",
            hdl.display()
        ))
    });
    for c in cores.cores.values() {
        println!("cargo:rerun-if-changed={}", c.file.display());
    }
    let resolved = cores
        .resolve(ENGINE_CORE, "default")
        .unwrap_or_else(|e| fail(&format!("{ENGINE_CORE}: {e}")));
    let mut sources = resolved.sources;
    if sources.is_empty() {
        fail(&format!(
            "{ENGINE_CORE} under {} lists no RTL file",
            hdl.display()
        ));
    }
    sources.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    for s in &sources {
        println!("cargo:rerun-if-changed={}", s.display());
    }
    sources
}

/// The core of the planted-leak build (TEST ONLY) and its top module.
const LEAK_CORE: &str = "aiotsec:ip:tce_planted_leak";
const LEAK_TOP: &str = "tce_planted_leak";

/// The files [`LEAK_CORE`] adds to the engine's `sources` (watched for changes), as paths.
fn leak_sources(hdl: &Path, sources: &[PathBuf]) -> Vec<String> {
    let cores = cores::Cores::load(hdl).unwrap_or_else(|e| fail(&format!("{e}")));
    let resolved = cores
        .resolve(LEAK_CORE, "default")
        .unwrap_or_else(|e| fail(&format!("{LEAK_CORE}: {e}")));
    let mut out = Vec::new();
    for s in resolved.sources {
        if !sources.contains(&s) {
            println!("cargo:rerun-if-changed={}", s.display());
            out.push(s.display().to_string());
        }
    }
    if out.is_empty() {
        fail(&format!(
            "{LEAK_CORE} under {} adds no RTL file",
            hdl.display()
        ));
    }
    out
}

fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text)
        && let Err(e) = fs::write(path, text)
    {
        fail(&format!("{}: {e}", path.display()));
    }
}
