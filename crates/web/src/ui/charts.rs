//! Small, accessible SVG charts written by hand: no JavaScript, printable,
//! with a title and a text alternative for screen readers.

/// Escapes text for SVG/XML content and attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart. `reference` draws a dashed line (e.g. a caseload norm).
pub fn bar_chart(title: &str, bars: &[(String, f64)], reference: Option<(f64, &str)>) -> String {
    let bars: Vec<Bar> = bars
        .iter()
        .map(|(label, value)| Bar {
            label: label.clone(),
            value: Some(*value),
            text: format_value(*value),
        })
        .collect();
    comparison_chart("chart", title, &bars, reference)
}

/// One bar: its label, its length (none for a figure that is not shown) and
/// the text written beside it ("<5", "45 %").
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// A horizontal bar chart of one figure per row (municipalities side by
/// side); `id` keeps the title unique on a page with several charts.
pub fn comparison_chart(
    id: &str,
    title: &str,
    bars: &[Bar],
    reference: Option<(f64, &str)>,
) -> String {
    let row_height = 28.0;
    let label_width = 170.0;
    let chart_width = 360.0;
    let height = 40.0 + row_height * bars.len() as f64;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .chain(reference.map(|(r, _)| r))
        .fold(0.0_f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let scale = |v: f64| v.max(0.0) / max * chart_width;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {height}\" aria-labelledby=\"{id}-title\">\
         <title id=\"{id}-title\">{t}</title>",
        w = label_width + chart_width + 60.0,
        t = escape(title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 10.0 + i as f64 * row_height;
        let width = bar.value.map_or(0.0, scale);
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d2b36\">{label}</text>\
             <rect x=\"{label_width}\" y=\"{y}\" width=\"{width:.1}\" height=\"18\" rx=\"3\" fill=\"#2f6f8f\"><title>{label}: {text}</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"13\" fill=\"#1d2b36\">{text}</text>",
            lx = label_width - 8.0,
            ty = y + 14.0,
            label = escape(&bar.label),
            vx = label_width + width + 6.0,
            text = escape(&bar.text),
        ));
    }
    if let Some((value, label)) = reference {
        let x = label_width + scale(value);
        let bottom = height - 18.0;
        svg.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"4\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#b3412f\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/>\
             <text x=\"{x:.1}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#b3412f\">{label}</text>",
            ty = height - 4.0,
            label = escape(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A forecast over `labels` (months): the median as a line, the band from
/// `low` to `high` shaded, and a dashed `reference` line (e.g. the norm);
/// each month's numbers in a `<title>` for screen readers.
pub struct Band<'a> {
    pub labels: &'a [String],
    pub low: &'a [f64],
    pub median: &'a [f64],
    pub high: &'a [f64],
}

pub fn band_chart(
    id: &str,
    title: &str,
    band: &Band,
    reference: Option<(f64, &str)>,
    number: &dyn Fn(f64) -> String,
) -> String {
    let (left, top, width, height) = (40.0, 12.0, 400.0, 150.0);
    let n = band.labels.len().max(1);
    let step = if n > 1 { width / (n - 1) as f64 } else { 0.0 };
    let max = band
        .high
        .iter()
        .copied()
        .chain(reference.map(|(r, _)| r))
        .fold(1.0_f64, f64::max)
        * 1.1;
    let x = |i: usize| left + step * i as f64;
    let y = |v: f64| top + height - v.max(0.0) / max * height;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" aria-labelledby=\"{id}-title\">\
         <title id=\"{id}-title\">{t}</title>",
        w = left + width + 20.0,
        h = top + height + 30.0,
        id = escape(id),
        t = escape(title)
    );
    for k in 0..=4 {
        let value = max * f64::from(k) / 4.0;
        let ty = y(value);
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{ty:.1}\" x2=\"{x2}\" y2=\"{ty:.1}\" stroke=\"#d5dde3\"/>\
             <text x=\"{tx}\" y=\"{ly:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2b36\">{v}</text>",
            x2 = left + width,
            tx = left - 6.0,
            ly = ty + 4.0,
            v = number(value)
        ));
    }
    let mut area: Vec<String> = band
        .high
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    area.extend(
        band.low
            .iter()
            .enumerate()
            .rev()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))),
    );
    svg.push_str(&format!(
        "<polygon points=\"{}\" fill=\"#2f6f8f\" fill-opacity=\"0.2\"/>",
        area.join(" ")
    ));
    let line: Vec<String> = band
        .median
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    svg.push_str(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#2f6f8f\" stroke-width=\"2.5\"/>",
        line.join(" ")
    ));
    for (i, label) in band.labels.iter().enumerate() {
        svg.push_str(&format!(
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4\" fill=\"#2f6f8f\"><title>{label}: {m} ({l}–{h})</title></circle>\
             <text x=\"{cx:.1}\" y=\"{ly}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2b36\">{label}</text>",
            cx = x(i),
            cy = y(band.median[i]),
            ly = top + height + 16.0,
            label = escape(label),
            m = number(band.median[i]),
            l = number(band.low[i]),
            h = number(band.high[i]),
        ));
    }
    if let Some((value, label)) = reference {
        let ry = y(value);
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{ry:.1}\" x2=\"{x2}\" y2=\"{ry:.1}\" stroke=\"#b3412f\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/>\
             <text x=\"{x2}\" y=\"{ty:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#b3412f\">{label}</text>",
            x2 = left + width,
            ty = ry - 4.0,
            label = escape(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One line of a line chart: its name, colour and a value (or a gap) per x label.
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
    pub values: Vec<Option<f64>>,
}

/// A line chart over `labels` (e.g. dates) from `min` to `max` on the y axis,
/// with a legend; `id` keeps the title unique on a page with several charts.
pub fn line_chart(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[Series],
    min: f64,
    max: f64,
) -> String {
    // The title is drawn as well as named, so a page of several charts
    // says which is which.
    let (left, top, width, height) = (34.0, 34.0, 420.0, 150.0);
    let step = if labels.len() > 1 {
        width / (labels.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| left + step * i as f64 + if labels.len() == 1 { width / 2.0 } else { 0.0 };
    let y = |v: f64| top + height - (v - min) / (max - min).max(f64::EPSILON) * height;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" aria-labelledby=\"{id}\">\
         <title id=\"{id}\">{t}</title>\
         <text x=\"{left}\" y=\"16\" font-size=\"14\" font-weight=\"600\" fill=\"#1d2b36\">{t}</text>",
        w = left + width + 20.0,
        h = top + height + 54.0,
        id = escape(id),
        t = escape(title)
    );
    for tick in (min as i64)..=(max as i64) {
        let ty = y(tick as f64);
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{ty:.1}\" x2=\"{x2}\" y2=\"{ty:.1}\" stroke=\"#d5dde3\"/>\
             <text x=\"{tx}\" y=\"{ly:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2b36\">{tick}</text>",
            x2 = left + width,
            tx = left - 6.0,
            ly = ty + 4.0
        ));
    }
    for (i, label) in labels.iter().enumerate() {
        svg.push_str(&format!(
            "<text x=\"{lx:.1}\" y=\"{ly}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2b36\">{label}</text>",
            lx = x(i),
            ly = top + height + 16.0,
            label = escape(label)
        ));
    }
    for (n, line) in series.iter().enumerate() {
        let points: Vec<(f64, f64, f64)> = line
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (x(i), y(v), v)))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(px, py, _)| format!("{px:.1},{py:.1}"))
            .collect();
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.5\"/>",
            path.join(" "),
            c = escape(line.colour)
        ));
        for (px, py, v) in &points {
            svg.push_str(&format!(
                "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"4\" fill=\"{c}\"><title>{name}: {v}</title></circle>",
                c = escape(line.colour),
                name = escape(line.name),
                v = format_value(*v)
            ));
        }
        let lx = left + 140.0 * n as f64;
        let ly = top + height + 40.0;
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"{ry}\" width=\"14\" height=\"4\" fill=\"{c}\"/>\
             <text x=\"{tx}\" y=\"{ly}\" font-size=\"12\" fill=\"#1d2b36\">{name}</text>",
            ry = ly - 5.0,
            tx = lx + 20.0,
            c = escape(line.colour),
            name = escape(line.name)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One row of a forest plot: a label, the estimate and its confidence interval.
pub struct ForestRow {
    pub label: String,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A forest plot: each estimate as a point on its confidence interval, with the
/// line of no effect. `number` formats the axis in the reader's language.
pub fn forest_plot(title: &str, rows: &[ForestRow], number: &dyn Fn(f64) -> String) -> String {
    let (label_width, plot_width, row_height) = (230.0, 380.0, 30.0);
    let height = 50.0 + row_height * rows.len() as f64;
    let (mut low, mut high) = rows
        .iter()
        .filter(|r| r.lower.is_finite() && r.upper.is_finite())
        .fold((0.0_f64, 0.0_f64), |(lo, hi), r| {
            (lo.min(r.lower), hi.max(r.upper))
        });
    if high - low < 1e-9 {
        (low, high) = (-1.0, 1.0);
    }
    let step = nice_step((high - low) / 4.0);
    let (low, high) = ((low / step).floor() * step, (high / step).ceil() * step);
    let x = |v: f64| label_width + (v - low) / (high - low) * plot_width;
    let bottom = 20.0 + row_height * rows.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart forest\" role=\"img\" viewBox=\"0 0 {w} {height}\" aria-labelledby=\"forest-title\">\
         <title id=\"forest-title\">{t}</title>\
         <line x1=\"{zx:.1}\" y1=\"10\" x2=\"{zx:.1}\" y2=\"{bottom}\" stroke=\"#6b7780\" stroke-dasharray=\"4 3\"/>",
        w = label_width + plot_width + 20.0,
        t = escape(title),
        zx = x(0.0),
    );
    // Ticks at round values; 0 is always one of them (the line of no effect).
    let ticks = ((high - low) / step).round() as i64;
    for i in 0..=ticks {
        let value = low + step * i as f64;
        let value = if value.abs() < step * 1e-9 {
            0.0
        } else {
            value
        };
        svg.push_str(&format!(
            "<line x1=\"{px:.1}\" y1=\"{bottom}\" x2=\"{px:.1}\" y2=\"{tick}\" stroke=\"#1d2b36\"/>\
             <text x=\"{px:.1}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2b36\">{label}</text>",
            px = x(value),
            tick = bottom + 4.0,
            ty = bottom + 17.0,
            label = escape(&number(value)),
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let y = 20.0 + row_height * i as f64 + row_height / 2.0;
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d2b36\">{label}</text>",
            lx = label_width - 10.0,
            ty = y + 4.0,
            label = escape(&row.label),
        ));
        if row.estimate.is_finite() && row.lower.is_finite() && row.upper.is_finite() {
            svg.push_str(&format!(
                "<g><title>{label}: {e} [{lo}; {hi}]</title>\
                 <line x1=\"{x1:.1}\" y1=\"{y:.1}\" x2=\"{x2:.1}\" y2=\"{y:.1}\" stroke=\"#2f6f8f\" stroke-width=\"2\"/>\
                 <rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"10\" height=\"10\" fill=\"#2f6f8f\"/></g>",
                label = escape(&row.label),
                e = escape(&number(row.estimate)),
                lo = escape(&number(row.lower)),
                hi = escape(&number(row.upper)),
                x1 = x(row.lower),
                x2 = x(row.upper),
                px = x(row.estimate) - 5.0,
                py = y - 5.0,
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A round step (1, 2 or 5 × 10^k) near `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forest_plot_places_intervals_around_the_line_of_no_effect() {
        let rows = [
            ForestRow {
                label: "Job <6 mdr>".into(),
                estimate: 0.1,
                lower: -0.05,
                upper: 0.25,
            },
            ForestRow {
                label: "Job 12".into(),
                estimate: f64::NAN,
                lower: f64::NAN,
                upper: f64::NAN,
            },
        ];
        let svg = forest_plot("Effekter", &rows, &|v| format!("{v:.2}"));
        assert!(svg.contains("Job &lt;6 mdr&gt;"));
        // One interval drawn (the row without an estimate has only its label).
        assert_eq!(svg.matches("<rect").count(), 1);
        let attr = |segment: &str, name: &str| -> f64 {
            let start = segment.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            segment[start..].split('"').next().unwrap().parse().unwrap()
        };
        let zero_line = &svg[svg.find("<line").unwrap()..];
        let interval = &svg[svg.find("<g>").unwrap()..];
        let (zero, from, to) = (
            attr(zero_line, "x1"),
            attr(interval, "x1"),
            attr(interval, "x2"),
        );
        let point = attr(&interval[interval.find("<rect").unwrap()..], "x") + 5.0;
        assert!(
            from < zero && zero < point && point < to,
            "{from} {zero} {point} {to}"
        );
    }

    #[test]
    fn bars_are_scaled_and_labels_escaped() {
        let svg = bar_chart(
            "Caseload <team>",
            &[("A & B".into(), 10.0), ("C".into(), 20.0)],
            Some((15.0, "norm")),
        );
        assert!(svg.contains("<title id=\"chart-title\">Caseload &lt;team&gt;</title>"));
        assert!(svg.contains("A &amp; B"));
        assert!(
            svg.contains("width=\"180.0\""),
            "10 of max 20 is half of 360"
        );
        assert!(svg.contains("width=\"360.0\""));
        assert!(svg.contains("stroke-dasharray"));
    }
}
