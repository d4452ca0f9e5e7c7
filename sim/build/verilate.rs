//! Running Verilator on the RTL and compiling its C++ output, its runtime and `sim/shim.cpp` into
//! one static library (`libaiotsec_sim.a`) linked into the crate.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::fail;

/// One Verilated model.
pub(crate) struct Model {
    /// Verilator `--prefix` (the C++ class name, `Vtce`).
    pub(crate) prefix: &'static str,
    /// Top-level module.
    pub(crate) top: &'static str,
    /// Extra Verilator arguments (`-G` parameter overrides).
    pub(crate) extra: Vec<String>,
    /// Traced to FST (`--trace-fst`) instead of VCD (`--trace`).
    pub(crate) fst: bool,
}

/// Verilates every model from `sources` into `$OUT_DIR/<prefix>`, in parallel.
pub(crate) fn verilate(models: &[Model], sources: &[PathBuf], verilator: &str, out: &Path) {
    let errors = Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for m in models {
            let errors = &errors;
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
                .arg(if m.fst { "--trace-fst" } else { "--trace" })
                .args(["--noassert", "-Wno-fatal", "-Wno-lint", "-Wno-style"])
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
}

/// Compiles every generated file of every model, the Verilator runtime (`include` = its
/// `include/` folder) and the `shims` in parallel, and archives them as `aiotsec_sim`.
pub(crate) fn compile_library(models: &[Model], include: &Path, shims: &[PathBuf], out: &Path) {
    let mut jobs: Vec<(PathBuf, bool)> = Vec::new(); // (file, slow)
    for m in models {
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
    // The FST writer: sim/fst_writer.cpp includes verilated_fst_c.cpp (and through it gtkwave's
    // fstapi.c / lz4.c / fastlz.c) with `fclose` routed to the shim's aiot_fst_fclose, which
    // records the write errors fstapi ignores.
    if models.iter().any(|m| m.fst)
        && let Some(shim) = shims.first()
    {
        jobs.push((shim.with_file_name("fst_writer.cpp"), true));
    }
    for shim in shims {
        jobs.push((shim.clone(), false));
    }
    // Largest first for a better schedule.
    jobs.sort_by_key(|(f, _)| std::cmp::Reverse(fs::metadata(f).map(|m| m.len()).unwrap_or(0)));

    let incs: Vec<PathBuf> = std::iter::once(include.to_path_buf())
        .chain(std::iter::once(include.join("vltstd")))
        .chain(models.iter().map(|m| out.join(m.prefix)))
        .chain(std::iter::once(out.to_path_buf()))
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
    if models.iter().any(|m| m.fst) {
        println!("cargo:rustc-link-lib=z"); // fstapi's compression
    }
}
