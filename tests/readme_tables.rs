//! The README's figure tables cannot drift from the report: `report/tables.md` must be exactly what
//! the generator makes of `report/report.json` (both written by `scripts/report`), and every
//! section of README.md marked `<!-- report:NAME -->` ... `<!-- /report:NAME -->` must equal the
//! generated section of that name.

use std::fs;
use std::path::Path;

use aiotsec::report::tables::{check_readme, sections, tables};

fn read(p: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
    fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/report)", path.display()))
}

#[test]
fn tables_md_is_generated_from_report_json() {
    let report: serde_json::Value = serde_json::from_str(&read("report/report.json")).unwrap();
    let generated = tables(&report);
    assert_eq!(
        generated,
        read("report/tables.md"),
        "report/tables.md is not what report/report.json generates: rerun scripts/report"
    );
    // the versioned report has every table of a full run
    let names: Vec<String> = sections(&generated).into_iter().map(|(n, _)| n).collect();
    for want in [
        "hardware",
        "area-split",
        "aes-anchors",
        "cosim-speed",
        "model-throughput",
        "energy",
        "tvla",
        "tvla-checks",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "report/tables.md lacks {want}: {names:?}"
        );
    }
}

#[test]
fn readme_tables_match_the_report() {
    let bad = check_readme(&read("README.md"), &read("report/tables.md"));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
