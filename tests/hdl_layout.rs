//! The FuseSoC `.core` files under `hdl/` and the folder convention are the one list of which
//! Verilog file is RTL, testbench or FPGA-only (sim/build, scripts/hdl-check, hdl-test, hwreport
//! and cpp-bench all take their file lists from them). This test keeps the two in step:
//!
//! * every `.v` / `.vh` under `hdl/` (except `hdl/build`) is listed exactly once, by the core in
//!   whose folder it lies, in a fileset that matches its sub-folder (`rtl/` files in `rtl` /
//!   `rtl_*` filesets, `tb/` files in `tb` / `tb_*` filesets), and every file a core lists exists;
//! * one core per folder; cores under `hdl/fpga/` are in library `fpga`, the others in `ip`, and
//!   the Verilated engine needs no `fpga` core;
//! * every target resolves (filesets and dependencies exist, no cycle), every generator script
//!   exists, each core has a `default` and a `lint` target, and each testbench is the top of
//!   exactly one `sim_<testbench>` target of its core.
//!
//! The checks are run on the real tree, and on small trees made here that break each rule, so that
//! a check that stopped finding anything would fail.

#[path = "../sim/build/cores.rs"]
#[allow(
    dead_code,
    reason = "shared with the build script, which uses other parts of it"
)]
mod cores;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cores::Cores;

/// The core the build script Verilates (with its dependencies).
const ENGINE_CORE: &str = "aiotsec:ip:tag_crypto_engine";

/// Every `.v` / `.vh` below `dir`, except in `build/` folders and hidden ones.
fn verilog_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if name != "build" && !name.starts_with('.') {
                verilog_files(&p, out);
            }
        } else if name.ends_with(".v") || name.ends_with(".vh") {
            out.push(p);
        }
    }
}

/// Names of the modules a Verilog file declares.
fn modules(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("module "))
        .map(|rest| {
            rest.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect()
        })
        .collect()
}

/// The folder a fileset's files must lie in, from the fileset's name.
fn folder_of(fileset: &str) -> Option<&'static str> {
    let is = |p: &str| fileset == p || fileset.starts_with(&format!("{p}_"));
    if is("rtl") {
        Some("rtl")
    } else if is("tb") {
        Some("tb")
    } else {
        None
    }
}

/// Every rule broken under the cores root `root`, one line each.
fn problems(root: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    let cores = match Cores::load(root) {
        Ok(c) => c,
        Err(e) => return vec![format!("cannot read the cores: {e}")],
    };
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();

    let mut folders: BTreeMap<PathBuf, String> = BTreeMap::new();
    // file -> (core, fileset) of every listing
    let mut listed: BTreeMap<PathBuf, Vec<(String, String)>> = BTreeMap::new();
    for core in cores.cores.values() {
        if let Some(other) = folders.insert(core.dir.clone(), core.name.clone()) {
            bad.push(format!(
                "{}: two cores in one folder ({other}, {})",
                rel(&core.dir),
                core.name
            ));
        }
        let want_lib = if core.dir.starts_with(root.join("fpga")) {
            "fpga"
        } else {
            "ip"
        };
        if core.library() != want_lib {
            bad.push(format!(
                "{}: core {} is in library `{}`, its folder says `{want_lib}`",
                rel(&core.file),
                core.name,
                core.library()
            ));
        }
        for (fs_name, fileset) in &core.filesets {
            let folder = folder_of(fs_name);
            if folder.is_none() {
                bad.push(format!(
                    "{}: fileset `{fs_name}` is neither rtl[_*] nor tb[_*]",
                    rel(&core.file)
                ));
            }
            for f in &fileset.files {
                listed
                    .entry(f.path.clone())
                    .or_default()
                    .push((core.name.clone(), fs_name.clone()));
                if !f.path.is_file() {
                    bad.push(format!(
                        "{}: fileset `{fs_name}` lists {}, which does not exist",
                        rel(&core.file),
                        f.rel.display()
                    ));
                }
                let mut comps = f.rel.components();
                let first = comps
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned());
                let escapes = f
                    .rel
                    .components()
                    .any(|c| !matches!(c, std::path::Component::Normal(_)));
                if let Some(folder) = folder
                    && (escapes || first.as_deref() != Some(folder) || comps.next().is_none())
                {
                    bad.push(format!(
                        "{}: fileset `{fs_name}` lists {}, which is not in the core's {folder}/ folder",
                        rel(&core.file),
                        f.rel.display()
                    ));
                }
            }
        }
        for (g, script) in &core.generators {
            if !script.is_file() {
                bad.push(format!(
                    "{}: generator {g}: {} does not exist",
                    rel(&core.file),
                    rel(script)
                ));
            }
        }
        for t in ["default", "lint"] {
            if !core.targets.contains_key(t) {
                bad.push(format!("{}: no `{t}` target", rel(&core.file)));
            }
        }
        for t in core.targets.keys() {
            if let Err(e) = cores.resolve(&core.name, t) {
                bad.push(format!("{}: target {t}: {e}", rel(&core.file)));
            }
        }
        // one sim_<tb> target per testbench: each tb/ .v file of the core is the top of exactly one
        for (fs_name, fileset) in &core.filesets {
            if folder_of(fs_name) != Some("tb") {
                continue;
            }
            for f in fileset.files.iter().filter(|f| !f.is_include) {
                for m in modules(&f.path) {
                    let tops: Vec<&String> = core
                        .targets
                        .iter()
                        .filter(|(n, t)| n.starts_with("sim_") && t.toplevel == [m.clone()])
                        .map(|(n, _)| n)
                        .collect();
                    let want = format!("sim_{m}");
                    if tops.len() != 1 || *tops[0] != want {
                        bad.push(format!(
                            "{}: testbench {m} ({}) should be the top of one target {want}, is of {tops:?}",
                            rel(&core.file),
                            f.rel.display()
                        ));
                    }
                }
            }
        }
        for (n, t) in core.targets.iter().filter(|(n, _)| n.starts_with("sim_")) {
            let top = t.toplevel.first().cloned().unwrap_or_default();
            let declared = t.filesets.iter().any(|fs| {
                folder_of(fs) == Some("tb")
                    && core
                        .filesets
                        .get(fs)
                        .is_some_and(|fs| fs.files.iter().any(|f| modules(&f.path).contains(&top)))
            });
            if t.toplevel.len() != 1 || !declared {
                bad.push(format!(
                    "{}: target {n}: toplevel {:?} is not a module of its tb filesets",
                    rel(&core.file),
                    t.toplevel
                ));
            }
        }
    }

    let mut on_disk = Vec::new();
    verilog_files(root, &mut on_disk);
    on_disk.sort();
    for f in &on_disk {
        match listed.get(f).map(Vec::len) {
            None => bad.push(format!("{} is in no core", rel(f))),
            Some(1) => {}
            Some(_) => bad.push(format!(
                "{} is listed more than once: {:?}",
                rel(f),
                listed[f]
            )),
        }
    }
    for f in listed.keys() {
        let v = f.extension().is_some_and(|e| e == "v" || e == "vh");
        if v && !on_disk.contains(f) && f.is_file() {
            bad.push(format!(
                "{} is listed but lies outside the cores root",
                rel(f)
            ));
        }
    }

    if let Ok(engine) = cores.resolve(ENGINE_CORE, "default") {
        for c in &engine.cores {
            if cores.cores[c].library() == "fpga" {
                bad.push(format!(
                    "{ENGINE_CORE} (Verilated) depends on FPGA-only core {c}"
                ));
            }
        }
    }
    bad
}

#[test]
fn every_verilog_file_is_in_the_core_of_its_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("hdl");
    let bad = problems(&root);
    assert!(bad.is_empty(), "hdl/ layout:\n  {}", bad.join("\n  "));
}

#[test]
fn the_verilated_rtl_is_the_engine_core_the_aes_core_and_the_sha256_core() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("hdl");
    let cores = Cores::load(&root).expect("cores");
    let r = cores.resolve(ENGINE_CORE, "default").expect("engine core");
    assert_eq!(
        r.cores,
        ["aiotsec:ip:aes128", "aiotsec:ip:sha256", ENGINE_CORE]
    );
    let names: Vec<String> = r
        .sources
        .iter()
        .filter_map(|p| p.strip_prefix(&root).ok())
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "aes/rtl/aes_sbox.v",
            "aes/rtl/aes128_core.v",
            "aes/rtl/aes128_enc.v",
            "sha256/rtl/sha256_k.v",
            "sha256/rtl/sha256_k_rom.v",
            "sha256/rtl/kdf_sha256_core.v",
            "sha256/rtl/kdf_sha256.v",
            "engine/rtl/tag_crypto_engine.v"
        ]
    );
    // a testbench target adds its testbench and the harness's folder to the include path
    let sim = cores
        .resolve(ENGINE_CORE, "sim_nea2_ctr_tb")
        .expect("sim target");
    assert_eq!(sim.sources.len(), 9);
    assert!(sim.sources[8].ends_with("engine/tb/nea2_ctr_tb.v"));
    assert_eq!(sim.include_dirs, [root.join("engine/tb")]);
}

/// A scratch cores root, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "aiotsec-hdl-layout-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const GOOD_CORE: &str = "CAPI=2:
name: t:ip:x:0.1
filesets:
  rtl:
    files: [rtl/x.v]
    file_type: verilogSource
  tb_x:
    files: [tb/x_tb.v]
    file_type: verilogSource
targets:
  default:
    filesets: [rtl]
  lint:
    filesets: [rtl]
    toplevel: x
  sim_x_tb:
    filesets: [rtl, tb_x]
    toplevel: x_tb
";

/// A well-formed one-core tree.
fn good_tree() -> Scratch {
    let s = Scratch::new();
    s.write("x/x.core", GOOD_CORE);
    s.write("x/rtl/x.v", "module x;\nendmodule\n");
    s.write("x/tb/x_tb.v", "module x_tb;\n  x u ();\nendmodule\n");
    s.write("build/generated.v", "module ignored_in_build;\nendmodule\n");
    s
}

#[test]
fn a_well_formed_tree_has_no_problem() {
    let s = good_tree();
    assert_eq!(problems(&s.0), Vec::<String>::new());
}

#[test]
fn a_file_in_no_core_is_found() {
    let s = good_tree();
    s.write("x/rtl/stray.v", "module stray;\nendmodule\n");
    let bad = problems(&s.0);
    assert!(
        bad.iter().any(|b| b == "x/rtl/stray.v is in no core"),
        "{bad:?}"
    );
}

#[test]
fn a_file_in_the_wrong_fileset_or_core_is_found() {
    let s = good_tree();
    // the testbench listed as RTL
    s.write(
        "x/x.core",
        &GOOD_CORE.replace("[rtl/x.v]", "[rtl/x.v, tb/x_tb.v]"),
    );
    let bad = problems(&s.0);
    assert!(
        bad.iter()
            .any(|b| b.contains("lists tb/x_tb.v, which is not in the core's rtl/ folder")),
        "{bad:?}"
    );
    assert!(
        bad.iter().any(|b| b.contains("listed more than once")),
        "{bad:?}"
    );

    // a second core listing the first one's RTL
    let s = good_tree();
    s.write(
        "y/y.core",
        "CAPI=2:\nname: t:ip:y:0.1\nfilesets:\n  rtl:\n    files: [../x/rtl/x.v]\n\
         targets:\n  default:\n    filesets: [rtl]\n  lint:\n    filesets: [rtl]\n",
    );
    let bad = problems(&s.0);
    assert!(
        bad.iter().any(|b| b.contains("lists ../x/rtl/x.v")),
        "{bad:?}"
    );

    // an FPGA shim in an `ip` library core
    let s = good_tree();
    s.write("fpga/b/b.core", &GOOD_CORE.replace("t:ip:x", "t:ip:b"));
    s.write("fpga/b/rtl/x.v", "module xb;\nendmodule\n");
    s.write("fpga/b/tb/x_tb.v", "module x_tb;\nendmodule\n");
    let bad = problems(&s.0);
    assert!(
        bad.iter()
            .any(|b| b.contains("is in library `ip`, its folder says `fpga`")),
        "{bad:?}"
    );
}

#[test]
fn a_missing_file_target_or_dependency_is_found() {
    let s = good_tree();
    s.write(
        "x/x.core",
        &GOOD_CORE.replace(
            "[rtl/x.v]",
            "[rtl/x.v, rtl/gone.v]\n    depend: [t:ip:nowhere]",
        ),
    );
    let bad = problems(&s.0);
    for want in [
        "lists rtl/gone.v, which does not exist",
        "target default: t:ip:x depends on t:ip:nowhere",
    ] {
        assert!(bad.iter().any(|b| b.contains(want)), "{want}: {bad:?}");
    }

    let s = good_tree();
    s.write(
        "x/x.core",
        &GOOD_CORE.replace(
            "toplevel: x_tb",
            "toplevel: x_tb\n  sim_other_tb:\n    filesets: [rtl, tb_y]\n    toplevel: other_tb",
        ),
    );
    let bad = problems(&s.0);
    for want in [
        "no fileset `tb_y`",
        "target sim_other_tb: toplevel [\"other_tb\"] is not a module of its tb filesets",
    ] {
        assert!(bad.iter().any(|b| b.contains(want)), "{want}: {bad:?}");
    }
}

#[test]
fn a_testbench_without_its_sim_target_is_found() {
    let s = good_tree();
    s.write("x/x.core", &GOOD_CORE.replace("sim_x_tb:", "sim_renamed:"));
    let bad = problems(&s.0);
    assert!(
        bad.iter()
            .any(|b| b
                .contains("testbench x_tb (tb/x_tb.v) should be the top of one target sim_x_tb")),
        "{bad:?}"
    );
}
