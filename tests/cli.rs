//! The command line, as scripts use it (flags are a stable interface).

use std::process::Command;

use aiotsec::profile::SecurityInputs;
use aiotsec::vectors;

fn aiotsec(args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_aiotsec"))
        .args(args)
        .output()
        .expect("run aiotsec");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out) = aiotsec(&a);
    assert_eq!(code, 0, "{args:?}: {out}");
    serde_json::from_str(&out).expect("json")
}

/// Arguments of `nea2`/`nia2` for one test set (COUNT written as given by `count`).
fn alg_args(
    cmd: &str,
    key: &[u8; 16],
    inputs: SecurityInputs,
    count: String,
    bits: usize,
    data: &[u8],
) -> Vec<String> {
    let mut a = vec![
        cmd.to_string(),
        "--key".into(),
        hex::encode(key),
        "--count".into(),
        count,
    ];
    for (flag, v) in [
        ("--bearer", inputs.bearer.to_string()),
        ("--direction", inputs.direction.to_string()),
        ("--bits", bits.to_string()),
        ("--data", hex::encode(data)),
    ] {
        a.push(flag.into());
        a.push(v);
    }
    a
}

#[test]
fn nea2_and_nia2_commands_reproduce_official_sets() {
    for v in vectors::nea2().unwrap().iter().filter(|v| v.official) {
        let count = format!("{:08x}", v.inputs.count);
        let a = alg_args("nea2", &v.key, v.inputs, count, v.bits, &v.plaintext);
        let (code, out) = aiotsec(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        assert_eq!(code, 0);
        assert_eq!(out.trim(), hex::encode(&v.ciphertext), "{}", v.name);
    }
    for v in vectors::nia2().unwrap().iter().filter(|v| v.official) {
        // COUNT with the 0x prefix here: both spellings are accepted.
        let count = format!("0x{:08x}", v.inputs.count);
        let a = alg_args("nia2", &v.key, v.inputs, count, v.bits, &v.message);
        let j = json(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        assert_eq!(j["mac"], hex::encode(v.mac), "{}", v.name);
    }
}

#[test]
fn kdf_command_matches_known_answer() {
    for v in vectors::kdf()
        .unwrap()
        .iter()
        .filter(|v| v.fc.is_some() && !v.truncated)
    {
        let fc = format!("{:02x}", v.fc.unwrap_or(0));
        let mut args = vec![
            "kdf".to_string(),
            "--key".into(),
            hex::encode(&v.key),
            "--fc".into(),
            fc,
        ];
        for p in &v.params {
            args.push("--param".into());
            args.push(hex::encode(p));
        }
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let (code, out) = aiotsec(&a);
        assert_eq!(code, 0);
        assert_eq!(out.trim(), hex::encode(&v.expected), "{}", v.name);
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let base = [
        "nea2",
        "--key",
        "00112233445566778899aabbccddeeff",
        "--count",
        "0",
    ];
    for (bearer, direction, bits, why) in [
        ("32", "0", "8", "BEARER 32 must be refused"),
        ("1", "2", "8", "DIRECTION 2 must be refused"),
        ("1", "0", "9", "too few octets for the bit length"),
    ] {
        let args = [
            "--bearer",
            bearer,
            "--direction",
            direction,
            "--bits",
            bits,
            "--data",
            "00",
        ];
        let (code, _) = aiotsec(&[&base[..], &args[..]].concat());
        assert_eq!(code, 2, "{why}");
    }
    let (code, out) = aiotsec(&[
        "unprotect",
        "--kaiotf",
        &"11".repeat(32),
        "--message",
        "7a02",
        "--json",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("error"));
}

#[test]
fn derive_protect_unprotect_round_trip() {
    let d = json(&[
        "derive",
        "--ltk",
        &"00".repeat(16),
        "--n-aiotf",
        &"01".repeat(16),
        "--n-dev",
        &"02".repeat(8),
    ]);
    let kaiotf = d["kaiotf"].as_str().unwrap().to_string();
    let p = json(&[
        "protect",
        "--kaiotf",
        &kaiotf,
        "--command",
        "write",
        "--offset",
        "3",
        "--data",
        "c0ffee",
    ]);
    let msg = p["message"].as_str().unwrap().to_string();
    let u = json(&["unprotect", "--kaiotf", &kaiotf, "--message", &msg]);
    assert_eq!(u["decoded"]["command"], "write");
    assert_eq!(u["decoded"]["offset"], 3);
    assert_eq!(u["decoded"]["data"], "c0ffee");
    assert_eq!(u["ciphered"], true);
    // the response direction must not verify a request
    let (code, _) = aiotsec(&[
        "unprotect",
        "--kaiotf",
        &kaiotf,
        "--dir",
        "response",
        "--message",
        &msg,
    ]);
    assert_ne!(code, 0);
}

#[test]
fn procedure_exit_status_follows_the_result() {
    let (code, out) = aiotsec(&["procedure", "--seed", "3"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[9]"));
    for attack in [
        "flip-bit",
        "downgrade",
        "replay",
        "reflect",
        "truncate",
        "wrong-key",
        "mac-guess",
        "delayed-request",
    ] {
        let j = json(&[
            "procedure",
            "--seed",
            "3",
            "--attack",
            attack,
            "--command",
            "write",
            "--data",
            "aa",
        ]);
        assert_eq!(j["success"], true, "{attack}");
    }
    let j = json(&[
        "procedure",
        "--cipher",
        "off",
        "--command",
        "disable",
        "--seed",
        "4",
    ]);
    assert_eq!(j["cipher"], false);
}

#[test]
fn profile_override_changes_the_keys() {
    let dir = std::env::temp_dir().join(format!("aiotsec-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("p.toml");
    std::fs::write(&f, "[command_keys]\nfc = 0x70\n").unwrap();
    let fp = f.to_str().unwrap();
    let a = json(&["derive", "--kaiotf", &"33".repeat(32)]);
    let b = json(&["derive", "--kaiotf", &"33".repeat(32), "--profile", fp]);
    assert_ne!(a["kcommand_enc"], b["kcommand_enc"]);
    std::fs::write(&f, "[response]\ndirection = 1\n").unwrap();
    let (code, _) = aiotsec(&["profile", "--profile", fp]);
    assert_eq!(
        code, 2,
        "a profile where request and response share a keystream is refused"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_keys_stay_out_of_the_trace_unless_asked() {
    let ltk = "11".repeat(16);
    let (code, out) = aiotsec(&["procedure", "--ltk", &ltk, "--seed", "5"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("<hidden: --show-keys>"), "{out}");
    let (code, out) = aiotsec(&["procedure", "--ltk", &ltk, "--seed", "5", "--show-keys"]);
    assert_eq!(code, 0);
    assert!(!out.contains("<hidden"), "{out}");
    // the published demo key is shown by default
    let (_, out) = aiotsec(&["procedure", "--seed", "5"]);
    assert!(!out.contains("<hidden"));
}

/// Run `aiotsec args` with `input` on standard input: exit code, stdout, stderr.
fn aiotsec_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut c = Command::new(env!("CARGO_BIN_EXE_aiotsec"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aiotsec");
    c.stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let o = c.wait_with_output().expect("wait");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const KAIOTF: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

#[test]
fn protect_pipes_into_unprotect_through_stdin_and_files() {
    let (code, msg) = aiotsec(&[
        "protect",
        "--kaiotf",
        KAIOTF,
        "--command",
        "write",
        "--offset",
        "0x10",
        "--length",
        "2",
        "--data",
        "dead",
    ]);
    assert_eq!(code, 0, "{msg}");
    // the protect output as is (trailing newline), absent --message and `--message -`
    for args in [
        vec!["unprotect", "--kaiotf", KAIOTF],
        vec!["unprotect", "--kaiotf", KAIOTF, "--message", "-"],
    ] {
        let (code, out, err) = aiotsec_stdin(&args, &msg);
        assert_eq!(code, 0, "{args:?}: {out} {err}");
        assert!(out.contains("write offset=16 length=2 data=dead"), "{out}");
    }
    // whitespace inside the hex, from a file
    let spaced: String = msg.trim().chars().flat_map(|c| [c, ' ']).collect();
    let f = std::env::temp_dir().join(format!("aiotsec-cli-msg-{}.hex", std::process::id()));
    std::fs::write(&f, format!("{spaced}\n")).expect("write file");
    let fs = f.to_string_lossy().into_owned();
    let v = json(&["unprotect", "--kaiotf", KAIOTF, "--message-file", &fs]);
    let _ = std::fs::remove_file(&f);
    assert_eq!(v["decoded"]["command"], "write");
    assert_eq!(v["decoded"]["offset"], 16);
    assert_eq!(v["decoded"]["data"], "dead");
    assert_eq!(v["backend"], "model");
}

#[test]
fn exit_codes_tell_a_failed_check_from_bad_input() {
    let (_, msg) = aiotsec(&["protect", "--kaiotf", KAIOTF, "--command", "disable"]);
    let msg = msg.trim().to_string();
    let mut bad = msg.clone().into_bytes();
    let last = bad.len() - 1;
    bad[last] = if bad[last] == b'0' { b'1' } else { b'0' };
    let bad = String::from_utf8(bad).expect("ascii");
    // a MAC mismatch is a check that ran and failed: 1, nothing on stdout (a pipe gets nothing)
    let (code, out, err) = aiotsec_stdin(&["unprotect", "--kaiotf", KAIOTF, "--message", &bad], "");
    assert_eq!(code, 1, "{out} {err}");
    assert!(out.is_empty() && err.contains("integrity"), "{out} / {err}");
    let (code, out, _) = aiotsec_stdin(
        &["unprotect", "--kaiotf", KAIOTF, "--message", &bad, "--json"],
        "",
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["verdict"], "integrity-failure");
    // bad input: 2, on stderr
    let (code, out, err) = aiotsec_stdin(&["unprotect", "--kaiotf", KAIOTF, "--message", "zz"], "");
    assert_eq!(code, 2);
    assert!(
        out.is_empty() && err.starts_with("error: "),
        "{out} / {err}"
    );
    let (code, _, _) = aiotsec_stdin(&["unprotect", "--kaiotf", KAIOTF], "");
    assert_eq!(code, 2, "an empty message is bad input");
    let (code, _, _) = aiotsec_stdin(
        &[
            "unprotect",
            "--kaiotf",
            KAIOTF,
            "--message",
            &msg,
            "--message-file",
            "/dev/null",
        ],
        "",
    );
    assert_eq!(
        code, 2,
        "--message and --message-file together are a usage error"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::Stdio;
    // the reader has gone before the command writes: EPIPE on the first write
    let mut c = Command::new(env!("CARGO_BIN_EXE_aiotsec"))
        .args(["profile"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aiotsec");
    drop(c.stdout.take());
    let o = c.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn procedure_reports_its_seed_and_the_seed_repeats_the_run() {
    let a = json(&["procedure", "--attack", "flip-bit"]);
    let seed = a["seed"].as_u64().expect("seed in the JSON");
    let b = json(&[
        "procedure",
        "--attack",
        "flip-bit",
        "--seed",
        &format!("{seed:#x}"),
    ]);
    assert_eq!(a, b, "the same seed must give the same trace");
    let (code, text) = aiotsec(&["procedure", "--seed", "7"]);
    assert_eq!(code, 0);
    assert!(
        text.lines()
            .next()
            .unwrap_or("")
            .contains("seed 7 (--seed 7 repeats"),
        "{text}"
    );
}

/// The example at the end of `aiotsec CMD --help`: its command line (without `aiotsec`).
fn help_example(cmd: &str) -> Vec<String> {
    let (code, help) = aiotsec(&[cmd, "--help"]);
    assert_eq!(code, 0);
    let tail = help
        .split("Example:")
        .nth(1)
        .unwrap_or_else(|| panic!("{cmd}: no example"));
    let line = tail
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("aiotsec "))
        .unwrap_or_else(|| panic!("{cmd}: no example line"));
    line.split_whitespace().skip(1).map(String::from).collect()
}

#[test]
fn help_examples_run_and_give_the_official_answers() {
    let nea = &vectors::nea2().unwrap()[0];
    let nia = &vectors::nia2().unwrap()[0];
    let kdf = &vectors::kdf().unwrap()[0];
    for (cmd, want) in [
        ("nea2", hex::encode(&nea.ciphertext)),
        ("nia2", hex::encode(nia.mac)),
        ("kdf", hex::encode(&kdf.expected)),
    ] {
        let args = help_example(cmd);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = aiotsec(&refs);
        assert_eq!(
            (code, out.trim()),
            (0, want.as_str()),
            "{cmd} example {args:?}"
        );
    }
    // every command's help ends with an example
    for cmd in [
        "aes",
        "derive",
        "protect",
        "unprotect",
        "procedure",
        "profile",
    ] {
        assert!(!help_example(cmd).is_empty());
    }
}

#[test]
fn global_flags_go_before_or_after_the_subcommand_and_inapplicable_ones_are_refused() {
    let (c1, a) = aiotsec(&["--json", "profile"]);
    let (c2, b) = aiotsec(&["profile", "--json"]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(a, b);
    assert!(a.trim_start().starts_with('{'), "{a}");
    let (code, out) = aiotsec(&["kdf", "--key", "00", "--fc", "0x10", "--profile", "x.toml"]);
    assert_eq!(code, 2, "kdf takes no profile: {out}");
}

#[test]
fn completions_cover_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out) = aiotsec(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(
            out.contains("unprotect") && out.contains("message-file"),
            "{shell}"
        );
    }
    let (code, _) = aiotsec(&["completions", "bash", "--json"]);
    assert_eq!(code, 2);
}

#[cfg(feature = "rtl")]
#[test]
fn cosim_writes_junit_and_refuses_unknown_selections() {
    let f = std::env::temp_dir().join(format!("aiotsec-cli-junit-{}.xml", std::process::id()));
    let fs = f.to_string_lossy().into_owned();
    let (code, out) = aiotsec(&[
        "cosim", "--count", "20", "--only", "aes", "--quiet", "--junit", &fs,
    ]);
    assert_eq!(code, 0, "{out}");
    let x = std::fs::read_to_string(&f).expect("junit file");
    let _ = std::fs::remove_file(&f);
    assert!(
        x.contains("<testcase classname=\"cosim\" name=\"aes\""),
        "{x}"
    );
    assert_eq!(x.matches("<testcase ").count(), 1);
    for bad in [
        vec!["cosim", "--only", "nope"],
        vec!["cosim", "--case", "aes:x1"],
        vec!["cosim", "--shard", "2/2"],
    ] {
        let (code, _) = aiotsec(&bad);
        assert_eq!(code, 2, "{bad:?}");
    }
}

#[cfg(feature = "rtl")]
#[test]
fn shard_reports_merge_into_the_unsharded_one() {
    let dir = std::env::temp_dir();
    let mut files = Vec::new();
    for i in 0..2 {
        let (code, out) = aiotsec(&[
            "cosim",
            "--count",
            "40",
            "--fault",
            "1",
            "--shard",
            &format!("{i}/2"),
            "--json",
            "--quiet",
        ]);
        assert_eq!(code, 1, "fault 1 has mismatches");
        let f = dir.join(format!("aiotsec-cli-shard{i}-{}.json", std::process::id()));
        std::fs::write(&f, out).expect("write");
        files.push(f.to_string_lossy().into_owned());
    }
    let mut args = vec!["cosim-merge"];
    args.extend(files.iter().map(String::as_str));
    args.push("--json");
    let (code, merged) = aiotsec(&args);
    let (_, whole) = aiotsec(&[
        "cosim", "--count", "40", "--fault", "1", "--json", "--quiet",
    ]);
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    assert_eq!(code, 1);
    let (m, w): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&merged).expect("json"),
        serde_json::from_str(&whole).expect("json"),
    );
    let counts = |v: &serde_json::Value| -> Vec<(String, u64, u64)> {
        v["levels"]
            .as_array()
            .expect("levels")
            .iter()
            .map(|l| {
                (
                    l["level"].as_str().unwrap_or("").to_string(),
                    l["checks"].as_u64().unwrap_or(0),
                    l["mismatches"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    assert_eq!(counts(&m), counts(&w));
    let (code, _) = aiotsec(&["cosim-merge", &files[0]]);
    assert_eq!(code, 2, "a missing shard (and a deleted file) is an error");
}

#[cfg(feature = "rtl")]
#[test]
fn a_whole_run_trace_is_capped_and_names_are_hierarchical() {
    let f = std::env::temp_dir().join(format!("aiotsec-cli-cap-{}.vcd", std::process::id()));
    let fs = f.to_string_lossy().into_owned();
    let (code, out) = aiotsec(&[
        "cosim",
        "--count",
        "200",
        "--vcd",
        &fs,
        "--vcd-limit-mb",
        "5",
        "--quiet",
    ]);
    let len = std::fs::metadata(&f).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&f);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("trace: VCD") && out.contains("closed at"),
        "{out}"
    );
    assert!(
        len < (45 << 20),
        "capped near the limit (a transaction writes up to ~15 MB): {len}"
    );
    assert!(out.contains("tag_crypto_engine.g_ff.park_q"), "{out}");
}

/// Runs `aiotsec ARGS` under `sh` with the file size limited to 16 KiB (SIGXFSZ ignored, so a
/// write past it fails with EFBIG as a full disk fails with ENOSPC), bounded by `timeout`.
#[cfg(feature = "rtl")]
fn aiotsec_small_disk(args: &str) -> (i32, String) {
    let script = format!(
        "trap '' XFSZ; ulimit -f 32; exec timeout 120 \"{}\" {args}",
        env!("CARGO_BIN_EXE_aiotsec")
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("run sh");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[cfg(feature = "rtl")]
#[test]
fn a_trace_write_error_ends_the_run_with_an_error_not_a_hang() {
    for fmt in ["vcd", "fst"] {
        let f = std::env::temp_dir().join(format!("aiotsec-cli-full-{}.{fmt}", std::process::id()));
        let (code, err) = aiotsec_small_disk(&format!(
            "cosim --case message:d3 --quiet --{fmt} {}",
            f.display()
        ));
        let _ = std::fs::remove_file(&f);
        assert_ne!(code, 124, "{fmt}: hung until `timeout` killed it");
        assert_eq!(code, 2, "{fmt}: {err}");
        assert!(err.contains("writing the waveform failed"), "{fmt}: {err}");
    }
}

#[cfg(feature = "rtl")]
#[test]
fn fst_traces_are_readable_and_refused_with_a_fault_build() {
    let f = std::env::temp_dir().join(format!("aiotsec-cli-{}.fst", std::process::id()));
    let fs = f.to_string_lossy().into_owned();
    let (code, out) = aiotsec(&[
        "cosim",
        "--case",
        "message:d3",
        "--fst",
        &fs,
        "--quiet",
        "--json",
    ]);
    let summary = aiotsec::sim::fst_summary(&f);
    let _ = std::fs::remove_file(&f);
    assert_eq!(code, 0, "{out}");
    let rep: serde_json::Value = serde_json::from_str(&out).expect("json");
    let cycles = rep["sim_cycles"].as_u64().expect("sim_cycles");
    let s = summary.expect("a readable FST");
    assert!(s.vars > 50, "the engine's signals: {s:?}");
    assert!(
        cycles > 100 && s.end_time >= 2 * cycles,
        "every simulated cycle traced (two time steps each): {s:?}, {cycles} cycles"
    );
    let (code, _) = aiotsec(&["cosim", "--fst", &fs, "--fault", "1"]);
    assert_eq!(code, 2, "no FST build of the fault variants");
    let (code, _) = aiotsec(&["cosim", "--fst", &fs, "--vcd", &fs]);
    assert_eq!(code, 2, "one trace format");
    assert!(aiotsec::sim::fst_summary(std::path::Path::new("Cargo.toml")).is_err());
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let (code, _) = aiotsec(&[
        "protect", "--kaiotf", KAIOTF, "--plain", "0101", "--offset", "3",
    ]);
    assert_eq!(code, 2, "--plain with a command field");
    let (code, _) = aiotsec(&["protect", "--kaiotf", KAIOTF, "--plain", "010100000010"]);
    assert_eq!(
        code, 0,
        "--plain alone (the command fields keep their defaults)"
    );
}

#[cfg(feature = "rtl")]
#[test]
fn engine_runs_report_backend_and_cycles_with_the_same_keys() {
    let p = json(&["procedure", "--device", "rtl", "--seed", "3"]);
    assert_eq!(p["backend"], "rtl");
    assert!(p["cycles"].as_u64().unwrap_or(0) > 1000, "{p}");
    let m = json(&["procedure", "--seed", "3"]);
    assert_eq!(
        (m["backend"].as_str(), m["cycles"].is_null()),
        (Some("model"), true)
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let (code, out) = aiotsec(&["--help"]);
    assert_eq!(code, 0);
    for line in [
        "Exit codes",
        "0  success",
        "1  a check that ran and failed",
        "2  bad input",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
}
