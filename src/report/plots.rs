//! The report's plots, drawn with `plotters` into SVG files. Each function returns `Ok(false)`
//! when its data is absent (the plot is then left out), `Err` with the backend's message.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

type R = Result<bool, String>;

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn e<T: std::fmt::Display>(x: T) -> String {
    x.to_string()
}

/// Stacked bars: `bars[i] = (label, [(part, value)])`, parts stacked in the order of `parts`.
fn stacked(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    ylabel: &str,
    bars: &[(String, Vec<(String, f64)>)],
    parts: &[String],
) -> Result<(), String> {
    let n = bars.len();
    let max = bars
        .iter()
        .map(|(_, v)| v.iter().map(|x| x.1).sum::<f64>())
        .fold(0.0, f64::max)
        * 1.15;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (0..n.saturating_sub(1)).into_segmented(),
            0f64..max.max(1.0),
        )
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc(ylabel)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => bars.get(*i).map(|b| b.0.clone()).unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(e)?;
    for (pi, part) in parts.iter().enumerate() {
        let rects: Vec<_> = bars
            .iter()
            .enumerate()
            .filter_map(|(i, (_, v))| {
                let below: f64 = v
                    .iter()
                    .filter(|(p, _)| parts.iter().position(|q| q == p) < Some(pi))
                    .map(|x| x.1)
                    .sum();
                let val = v.iter().find(|(p, _)| p == part).map(|x| x.1)?;
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), below),
                        (SegmentValue::Exact(i + 1), below + val),
                    ],
                    color(pi).filled(),
                );
                r.set_margin(0, 0, 10, 10);
                Some(r)
            })
            .collect();
        let c = color(pi);
        chart
            .draw_series(rects)
            .map_err(e)?
            .label(part.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    Ok(())
}

/// Area per top (GE and iCE40 LCs), stacked by part.
pub fn area(path: &Path, report: &Value) -> R {
    let Some(split) = report["area_split"].as_object().filter(|s| !s.is_empty()) else {
        return Ok(false);
    };
    let mut parts: Vec<String> = Vec::new();
    let mut ge = Vec::new();
    let mut lc = Vec::new();
    for (top, ps) in split {
        let mut g = Vec::new();
        let mut l = Vec::new();
        for p in ps.as_array().into_iter().flatten() {
            let name = p["part"].as_str().unwrap_or("?").to_string();
            if !parts.contains(&name) {
                parts.push(name.clone());
            }
            g.push((name.clone(), p["ge"].as_f64().unwrap_or(0.0)));
            l.push((name, p["ice40_lc"].as_f64().unwrap_or(0.0)));
        }
        ge.push((top.clone(), g));
        lc.push((top.clone(), l));
    }
    let root = SVGBackend::new(path, (1000, 450)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let (a, b) = root.split_horizontally(500);
    stacked(&a, "Area (yosys, GE = transistors / 4)", "GE", &ge, &parts)?;
    stacked(
        &b,
        "iCE40 UP5K logic cells (unplaced, per module)",
        "LCs (max(LUT4, FF))",
        &lc,
        &parts,
    )?;
    root.present().map_err(e)?;
    Ok(true)
}

/// Area against cycles per block: our AES core next to the anchors.
pub fn area_vs_cycles(path: &Path, report: &Value) -> R {
    let mut pts: Vec<(String, f64, f64, usize)> = Vec::new();
    if let (Some(ge), Some(cyc)) = (
        report["hardware"]
            .as_array()
            .and_then(|h| h.iter().find(|r| r["top"] == "aes128_enc"))
            .and_then(|r| r["ge"].as_f64()),
        report["aes_block_cycles"].as_f64(),
    ) {
        pts.push(("aes128_enc (this design, our flow)".into(), cyc, ge, 0));
    }
    for a in report["anchors"]["aes"].as_array().into_iter().flatten() {
        let (Some(g), Some(c)) = (a["ge"].as_f64(), a["cycles"].as_f64()) else {
            continue;
        };
        let kind = a["kind"].as_str().unwrap_or("");
        let k = if kind.starts_with("measured") { 1 } else { 2 };
        pts.push((
            format!("{} ({kind})", a["name"].as_str().unwrap_or("?")),
            c,
            g,
            k,
        ));
    }
    if pts.is_empty() {
        return Ok(false);
    }
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let gmax = pts.iter().map(|p| p.2).fold(0.0, f64::max) * 1.2;
    let mut chart = ChartBuilder::on(&root)
        .caption("AES-128 area against latency", ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((20f64..5000f64).log_scale(), 0f64..gmax)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("cycles per block (log)")
        .y_desc("GE")
        .draw()
        .map_err(e)?;
    for (i, (label, c, g, k)) in pts.iter().enumerate() {
        let col = color(*k);
        chart
            .draw_series(std::iter::once(Circle::new((*c, *g), 6, col.filled())))
            .map_err(e)?;
        // labels right of the point, or left of it near the right edge; alternate above / below
        let right = *c < 800.0;
        let pos = Pos::new(if right { HPos::Left } else { HPos::Right }, VPos::Center);
        let dy = if i % 2 == 0 { 0.03 } else { -0.03 } * gmax;
        let x = if right { *c * 1.1 } else { *c / 1.1 };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{label}: {g:.0} GE, {c:.0} cycles"),
                (x, *g + dy),
                ("sans-serif", 12)
                    .into_font()
                    .into_text_style(&root)
                    .pos(pos),
            )))
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(true)
}

/// Co-simulation speed: verified AES blocks per second of each harness.
pub fn cosim_speed(path: &Path, report: &Value) -> R {
    let mut bars: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    let c = &report["cosim_speed"];
    for r in c["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(c["cpp"].as_array().into_iter().flatten())
        .chain(report["anchors"]["cosim"].as_array().into_iter().flatten())
    {
        let (Some(h), Some(v)) = (r["harness"].as_str(), r["aes_blocks_per_second"].as_f64())
        else {
            continue;
        };
        // an anchor row's optional short `legend` stands for its long `source` in the legend
        let src = r["legend"]
            .as_str()
            .or(r["source"].as_str())
            .unwrap_or("measured here");
        let short = h.split(" (").next().unwrap_or(h);
        bars.push((short.to_string(), vec![(src.to_string(), v)]));
    }
    if bars.is_empty() {
        return Ok(false);
    }
    let mut parts: Vec<String> = Vec::new();
    for (_, v) in &bars {
        for (p, _) in v {
            if !parts.contains(p) {
                parts.push(p.clone());
            }
        }
    }
    let root = SVGBackend::new(path, (1000, 450)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    stacked(
        &root,
        "Co-simulation speed: verified AES-128 blocks per second",
        "blocks/s",
        &bars,
        &parts,
    )?;
    root.present().map_err(e)?;
    Ok(true)
}

/// Model throughput (GiB/s) against message size for NEA2 and NIA2.
pub fn model_throughput(path: &Path, report: &Value) -> R {
    let Some(rows) = report["model_throughput"]
        .as_array()
        .filter(|r| !r.is_empty())
    else {
        return Ok(false);
    };
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in rows {
        let (Some(g), Some(b), Some(ns)) =
            (r["group"].as_str(), r["bytes"].as_f64(), r["ns"].as_f64())
        else {
            continue;
        };
        if !(g == "nea2" || g == "nia2") || ns <= 0.0 {
            continue;
        }
        let gib = b / ns * 1e9 / f64::from(1u32 << 30);
        match series.iter_mut().find(|s| s.0 == g) {
            Some(s) => s.1.push((b, gib)),
            None => series.push((g.to_string(), vec![(b, gib)])),
        }
    }
    if series.is_empty() {
        return Ok(false);
    }
    for s in &mut series {
        s.1.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let ymax = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .fold(0.0, f64::max)
        * 1.2;
    let root = SVGBackend::new(path, (900, 450)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Golden model throughput (criterion)", ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((8f64..32768f64).log_scale(), 0f64..ymax.max(0.1))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("message size, bytes (log)")
        .y_desc("GiB/s")
        .draw()
        .map_err(e)?;
    for (i, (name, pts)) in series.iter().enumerate() {
        let c = color(i);
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(e)?
            .label(format!("128-{}", name.to_uppercase()))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        chart
            .draw_series(pts.iter().map(|p| Circle::new(*p, 4, c.filled())))
            .map_err(e)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(true)
}

/// Energy proxy: toggles per cycle of each phase, stacked by register group.
pub fn energy(path: &Path, report: &Value) -> R {
    let en = &report["energy"];
    let Some(groups) = en["groups"].as_array() else {
        return Ok(false);
    };
    let parts: Vec<String> = groups
        .iter()
        .filter_map(|g| g[0].as_str().map(String::from))
        .collect();
    let mut bars = Vec::new();
    for p in en["phases"].as_array().into_iter().flatten() {
        let cyc = p["cycles"].as_f64().unwrap_or(0.0).max(1.0);
        let v: Vec<(String, f64)> = parts
            .iter()
            .zip(p["by_group"].as_array().into_iter().flatten())
            .map(|(n, t)| (n.clone(), t.as_f64().unwrap_or(0.0) / cyc))
            .collect();
        let name = p["phase"].as_str().unwrap_or("?");
        bars.push((name.chars().take(14).collect::<String>(), v));
    }
    if bars.is_empty() {
        return Ok(false);
    }
    let root = SVGBackend::new(path, (1100, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    stacked(
        &root,
        "Energy proxy: register bit toggles per cycle, by phase and register group",
        "toggles / cycle",
        &bars,
        &parts,
    )?;
    root.present().map_err(e)?;
    Ok(true)
}

/// t against the cycle for one TVLA test (all registers, and all but the key ring).
pub fn tvla(path: &Path, curves: Option<&Value>, test: &str) -> R {
    let Some(t) = curves
        .and_then(|c| c["tests"].as_array())
        .and_then(|ts| ts.iter().find(|t| t["test"] == test))
    else {
        return Ok(false);
    };
    let clamp = 60.0;
    let mut lines = Vec::new();
    for ch in t["channels"].as_array().into_iter().flatten() {
        let name = ch["name"].as_str().unwrap_or("");
        if name != "all registers" && name != "all but the key ring" {
            continue;
        }
        let pts: Vec<(f64, f64)> = ch["t"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, v)| (i as f64, v.as_f64().unwrap_or(0.0).clamp(-clamp, clamp)))
            .collect();
        lines.push((name.to_string(), pts));
    }
    let n = t["cycles"].as_f64().unwrap_or(0.0);
    if lines.is_empty() || n <= 0.0 {
        return Ok(false);
    }
    let root = SVGBackend::new(path, (1100, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("TVLA, fixed vs random ({test}): Welch t per cycle (clamped to +/-{clamp})"),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..n, -clamp..clamp)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("cycle from the end of reset")
        .y_desc("t")
        .draw()
        .map_err(e)?;
    for (k, p) in t["phases"].as_array().into_iter().flatten().enumerate() {
        let s = p["start"].as_f64().unwrap_or(0.0);
        let ty = clamp * (0.92 - 0.09 * (k % 5) as f64);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(s, -clamp), (s, clamp)],
                BLACK.mix(0.25),
            )))
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(Text::new(
                p["name"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(12)
                    .collect::<String>(),
                (s + n * 0.003, ty),
                ("sans-serif", 10),
            )))
            .map_err(e)?;
    }
    for th in [4.5, -4.5] {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, th), (n, th)],
                RED.stroke_width(1),
            )))
            .map_err(e)?;
    }
    for (i, (name, pts)) in lines.into_iter().enumerate() {
        let c = color(i);
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(1)))
            .map_err(e)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(true)
}
