//! Reader of the FuseSoC CAPI2 `.core` files under `hdl/`: the one list of which Verilog file is
//! RTL, testbench or FPGA-only (with the folder convention `hdl/<ip>/{rtl,tb}/`).
//!
//! Used by the build script (`sim/build/main.rs`: the files Verilated into the co-simulation) and by
//! `tests/hdl_layout.rs` (which includes this file with `#[path]`); `scripts/hdl-files` is the same
//! reader for the shell scripts. Only the part of CAPI2 this project uses is read: `name`,
//! `filesets` (`files`, `file_type`, `is_include_file`, `depend`), `targets` (`filesets`,
//! `toplevel`) and `generators` (`command`). A dependency's files are those of its `default`
//! target, listed before the files of the core that depends on it, as FuseSoC orders them.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

/// What can go wrong reading the cores.
#[derive(Debug)]
pub enum CoreError {
    /// A file or folder could not be read.
    Io(PathBuf, std::io::Error),
    /// A `.core` file is not valid CAPI2 as far as this reader goes.
    Parse(PathBuf, String),
    /// Two `.core` files give the same vendor:library:name.
    Duplicate(String, PathBuf, PathBuf),
    /// A core, fileset or target that is asked for or referred to does not exist.
    Missing(String),
    /// `depend` entries form a cycle.
    Cycle(Vec<String>),
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            CoreError::Parse(p, e) => write!(f, "{}: {e}", p.display()),
            CoreError::Duplicate(n, a, b) => {
                write!(f, "{} and {} both define {n}", a.display(), b.display())
            }
            CoreError::Missing(what) => write!(f, "{what}"),
            CoreError::Cycle(chain) => write!(f, "dependency cycle: {}", chain.join(" -> ")),
        }
    }
}

impl std::error::Error for CoreError {}

#[derive(Deserialize)]
struct RawCore {
    name: String,
    #[serde(default)]
    filesets: BTreeMap<String, RawFileset>,
    #[serde(default)]
    targets: BTreeMap<String, RawTarget>,
    #[serde(default)]
    generators: BTreeMap<String, RawGenerator>,
}

#[derive(Deserialize)]
struct RawFileset {
    #[serde(default)]
    files: Vec<RawFile>,
    #[serde(default)]
    file_type: Option<String>,
    #[serde(default)]
    depend: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawFile {
    Plain(String),
    WithAttrs(BTreeMap<String, RawFileAttrs>),
}

#[derive(Deserialize, Default)]
struct RawFileAttrs {
    #[serde(default)]
    file_type: Option<String>,
    #[serde(default)]
    is_include_file: bool,
}

#[derive(Deserialize)]
struct RawTarget {
    #[serde(default)]
    filesets: Vec<String>,
    #[serde(default)]
    toplevel: Option<Toplevel>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Toplevel {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawGenerator {
    command: String,
}

/// One file of a fileset.
#[derive(Debug, Clone)]
pub struct CoreFile {
    /// Path: the core's folder joined with the name the core gives.
    pub path: PathBuf,
    /// The name as written in the core, relative to the core's folder.
    #[allow(
        dead_code,
        reason = "read by tests/hdl_layout.rs, not by the build script"
    )]
    pub rel: PathBuf,
    /// `file_type` (of the file, else of the fileset; empty when neither gives one).
    pub file_type: String,
    /// `is_include_file: true`: found through the include path, not compiled on its own.
    pub is_include: bool,
}

/// A fileset: files and the cores it depends on.
#[derive(Debug, Clone)]
pub struct Fileset {
    pub files: Vec<CoreFile>,
    /// vendor:library:name of each `depend` entry (version and operator dropped).
    pub depend: Vec<String>,
}

/// A target: the filesets it uses and its top-level module(s).
#[derive(Debug, Clone)]
pub struct Target {
    pub filesets: Vec<String>,
    #[allow(
        dead_code,
        reason = "read by tests/hdl_layout.rs, not by the build script"
    )]
    pub toplevel: Vec<String>,
}

/// One `.core` file.
#[derive(Debug, Clone)]
pub struct Core {
    /// vendor:library:name (the version is dropped).
    pub name: String,
    /// The `.core` file.
    pub file: PathBuf,
    /// Its folder: file names in the core are relative to it.
    #[allow(
        dead_code,
        reason = "read by tests/hdl_layout.rs, not by the build script"
    )]
    pub dir: PathBuf,
    pub filesets: BTreeMap<String, Fileset>,
    pub targets: BTreeMap<String, Target>,
    /// Generator name -> script (the core's folder joined with `command`).
    #[allow(
        dead_code,
        reason = "read by tests/hdl_layout.rs, not by the build script"
    )]
    pub generators: BTreeMap<String, PathBuf>,
}

impl Core {
    /// The library part of the name (`ip`, `fpga`).
    #[allow(
        dead_code,
        reason = "read by tests/hdl_layout.rs, not by the build script"
    )]
    pub fn library(&self) -> &str {
        self.name.split(':').nth(1).unwrap_or("")
    }

    fn target(&self, name: &str) -> Result<&Target, CoreError> {
        self.targets.get(name).ok_or_else(|| {
            CoreError::Missing(format!("{}: no target `{name}`", self.file.display()))
        })
    }

    fn fileset(&self, name: &str) -> Result<&Fileset, CoreError> {
        self.filesets.get(name).ok_or_else(|| {
            CoreError::Missing(format!("{}: no fileset `{name}`", self.file.display()))
        })
    }
}

/// Files a target needs, dependencies first.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Verilog sources (`verilogSource*`, not include files), in FuseSoC's order.
    pub sources: Vec<PathBuf>,
    /// Folders of the include files.
    pub include_dirs: Vec<PathBuf>,
    /// The cores involved, dependencies first, the asked-for core last.
    pub cores: Vec<String>,
}

/// vendor:library:name of a VLNV or a `depend` entry (`>=aiotsec:ip:aes128:0.1` -> `aiotsec:ip:aes128`).
pub fn vln(vlnv: &str) -> Option<String> {
    let s = vlnv
        .trim()
        .trim_start_matches(['<', '>', '=', '~', '^', '!']);
    let parts: Vec<&str> = s.split(':').collect();
    (parts.len() >= 3 && parts[..3].iter().all(|p| !p.is_empty())).then(|| parts[..3].join(":"))
}

/// Every core under a root folder (`hdl/build` and hidden folders are skipped), by name.
#[derive(Debug, Clone)]
pub struct Cores {
    pub root: PathBuf,
    pub cores: BTreeMap<String, Core>,
}

impl Cores {
    /// Reads every `*.core` file below `root`.
    pub fn load(root: &Path) -> Result<Cores, CoreError> {
        let mut files = Vec::new();
        collect_core_files(root, &mut files)?;
        files.sort();
        let mut cores: BTreeMap<String, Core> = BTreeMap::new();
        for file in files {
            let core = parse_core(&file)?;
            if let Some(prev) = cores.get(&core.name) {
                return Err(CoreError::Duplicate(core.name, prev.file.clone(), file));
            }
            cores.insert(core.name.clone(), core);
        }
        if cores.is_empty() {
            return Err(CoreError::Missing(format!(
                "no .core file under {}",
                root.display()
            )));
        }
        Ok(Cores {
            root: root.to_path_buf(),
            cores,
        })
    }

    /// The core called `name` (a VLNV, with or without version).
    pub fn get(&self, name: &str) -> Result<&Core, CoreError> {
        vln(name).and_then(|n| self.cores.get(&n)).ok_or_else(|| {
            CoreError::Missing(format!(
                "no core `{name}` under {} (cores: {})",
                self.root.display(),
                self.cores.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// The files `target` of `core` needs: the `default` target files of the cores it depends on
    /// (recursively, dependencies first), then its own filesets in the target's order.
    pub fn resolve(&self, core: &str, target: &str) -> Result<Resolved, CoreError> {
        let top = self.get(core)?;
        let mut order = Vec::new();
        let mut open = Vec::new();
        self.visit(top, target, &mut order, &mut open)?;
        let mut out = Resolved::default();
        for name in &order {
            let c = &self.cores[name];
            let t = c.target(if *name == top.name { target } else { "default" })?;
            for fs in &t.filesets {
                for f in &c.fileset(fs)?.files {
                    if f.is_include {
                        let dir = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
                        if !out.include_dirs.contains(&dir) {
                            out.include_dirs.push(dir);
                        }
                    } else if f.file_type.starts_with("verilogSource")
                        && !out.sources.contains(&f.path)
                    {
                        out.sources.push(f.path.clone());
                    }
                }
            }
        }
        out.cores = order;
        Ok(out)
    }

    /// Depth first, post order: `order` gets every core `target` of `core` needs, `core` last.
    fn visit(
        &self,
        core: &Core,
        target: &str,
        order: &mut Vec<String>,
        open: &mut Vec<String>,
    ) -> Result<(), CoreError> {
        if order.contains(&core.name) {
            return Ok(());
        }
        if open.contains(&core.name) {
            let mut chain = open.clone();
            chain.push(core.name.clone());
            return Err(CoreError::Cycle(chain));
        }
        open.push(core.name.clone());
        for fs in &core.target(target)?.filesets {
            for dep in &core.fileset(fs)?.depend {
                let d = self.cores.get(dep).ok_or_else(|| {
                    CoreError::Missing(format!(
                        "{} depends on {dep}, which no core under {} defines",
                        core.name,
                        self.root.display()
                    ))
                })?;
                self.visit(d, "default", order, open)?;
            }
        }
        open.pop();
        order.push(core.name.clone());
        Ok(())
    }
}

/// `a/b/../c/./d` -> `a/c/d` (lexically: the cores name files, not links).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn collect_core_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CoreError> {
    let rd = fs::read_dir(dir).map_err(|e| CoreError::Io(dir.to_path_buf(), e))?;
    for entry in rd {
        let entry = entry.map_err(|e| CoreError::Io(dir.to_path_buf(), e))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "build" && !name.starts_with('.') {
                collect_core_files(&path, out)?;
            }
        } else if name.ends_with(".core") {
            out.push(path);
        }
    }
    Ok(())
}

fn parse_core(file: &Path) -> Result<Core, CoreError> {
    let text = fs::read_to_string(file).map_err(|e| CoreError::Io(file.to_path_buf(), e))?;
    if !text.starts_with("CAPI=2:") {
        return Err(CoreError::Parse(
            file.to_path_buf(),
            "not a CAPI2 core file (the first line must be `CAPI=2:`)".into(),
        ));
    }
    let raw: RawCore = serde_norway::from_str(&text)
        .map_err(|e| CoreError::Parse(file.to_path_buf(), e.to_string()))?;
    let name = vln(&raw.name).ok_or_else(|| {
        CoreError::Parse(file.to_path_buf(), format!("`{}` is not a VLNV", raw.name))
    })?;
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut filesets = BTreeMap::new();
    for (fs_name, fs) in raw.filesets {
        let default_type = fs.file_type.unwrap_or_default();
        let mut files = Vec::new();
        for f in fs.files {
            let (rel, attrs) = match f {
                RawFile::Plain(n) => (n, RawFileAttrs::default()),
                RawFile::WithAttrs(m) if m.len() == 1 => match m.into_iter().next() {
                    Some(entry) => entry,
                    None => continue,
                },
                RawFile::WithAttrs(m) => {
                    return Err(CoreError::Parse(
                        file.to_path_buf(),
                        format!("fileset {fs_name}: a file entry names {} files", m.len()),
                    ));
                }
            };
            files.push(CoreFile {
                path: normalize(&dir.join(&rel)),
                rel: PathBuf::from(rel),
                file_type: attrs.file_type.unwrap_or_else(|| default_type.clone()),
                is_include: attrs.is_include_file,
            });
        }
        let mut depend = Vec::new();
        for d in fs.depend {
            depend.push(vln(&d).ok_or_else(|| {
                CoreError::Parse(
                    file.to_path_buf(),
                    format!("fileset {fs_name}: `{d}` is not a VLNV"),
                )
            })?);
        }
        filesets.insert(fs_name, Fileset { files, depend });
    }
    let targets = raw
        .targets
        .into_iter()
        .map(|(n, t)| {
            let toplevel = match t.toplevel {
                None => vec![],
                Some(Toplevel::One(s)) => vec![s],
                Some(Toplevel::Many(v)) => v,
            };
            (
                n,
                Target {
                    filesets: t.filesets,
                    toplevel,
                },
            )
        })
        .collect();
    let generators = raw
        .generators
        .into_iter()
        .map(|(n, g)| (n, normalize(&dir.join(g.command))))
        .collect();
    Ok(Core {
        name,
        file: file.to_path_buf(),
        dir,
        filesets,
        targets,
        generators,
    })
}
