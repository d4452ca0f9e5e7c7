//! `report`: the hardware report from the measurements `scripts/report` collected.

use aiotsec::error::Error;
use aiotsec::report;
use serde_json::json;

use crate::Output;
use crate::args::ReportArgs;

pub fn report(a: &ReportArgs) -> Result<Output, Error> {
    super::no_profile(&a.common, "report", "it reads measurements")?;
    let meta: serde_json::Value =
        serde_json::from_str(&a.meta).map_err(|e| Error::Usage(format!("--meta: {e}")))?;
    let built = report::build(&a.data, &a.out, meta).map_err(|e| Error::Protocol(e.to_string()))?;
    let files: Vec<String> = built
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let mut text = format!("report: wrote {}", files.join(", "));
    if !built.missing.is_empty() {
        text.push_str(&format!(
            "\nreport: not measured: {}",
            built.missing.join(", ")
        ));
    }
    Ok(Output::new(
        text,
        json!({"files": files, "missing": built.missing}),
    ))
}
