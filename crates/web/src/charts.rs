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
    let row_height = 28.0;
    let label_width = 170.0;
    let chart_width = 360.0;
    let height = 40.0 + row_height * bars.len() as f64;
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .chain(reference.map(|(r, _)| r))
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let scale = |v: f64| v / max * chart_width;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {height}\" aria-labelledby=\"chart-title\">\
         <title id=\"chart-title\">{t}</title>",
        w = label_width + chart_width + 60.0,
        t = escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 10.0 + i as f64 * row_height;
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d2b36\">{label}</text>\
             <rect x=\"{label_width}\" y=\"{y}\" width=\"{bw:.1}\" height=\"18\" rx=\"3\" fill=\"#2f6f8f\"><title>{label}: {value}</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"13\" fill=\"#1d2b36\">{value}</text>",
            lx = label_width - 8.0,
            ty = y + 14.0,
            label = escape(label),
            bw = scale(*value),
            vx = label_width + scale(*value) + 6.0,
            value = format_value(*value),
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
