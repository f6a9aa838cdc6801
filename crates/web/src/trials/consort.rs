//! The CONSORT flow diagram as an accessible SVG.

use crate::i18n::{Arg, Tr};
use spire_store::Consort;

/// One box of the CONSORT flow diagram, placed once the widths are known.
struct FlowBox {
    x: f64,
    y: f64,
    width: f64,
    lines: Vec<String>,
}

impl FlowBox {
    fn height(&self) -> f64 {
        (22.0 + 18.0 * self.lines.len() as f64).max(48.0)
    }

    fn bottom(&self) -> f64 {
        self.y + self.height()
    }

    fn centre(&self) -> f64 {
        self.x + self.width / 2.0
    }
}

/// The width a box needs for its longest line at 13 px (a generous average
/// glyph width, so no line runs past its border in common sans fonts).
fn width_for(lines: &[String]) -> f64 {
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (24.0 + 7.6 * longest as f64).max(200.0)
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The CONSORT flow as an accessible SVG: assessed → excluded (by reason) →
/// randomised → each arm → take-up of the programme offer. The main flow is
/// the left column, exclusions and the control arm the right; each column is
/// as wide as its longest line and each box as tall as its lines, so no text
/// leaves its box and no boxes overlap in any language.
pub fn consort_svg(tr: Tr, consort: &Consort) -> String {
    let count = |id: &str, n: i64| tr.t_args(id, &[("n", Arg::Number(n))]);
    let mut excluded = vec![count("consort-excluded", consort.excluded)];
    excluded.extend(
        consort
            .excluded_by_reason
            .iter()
            .map(|(code, n)| format!("· {}: {n}", tr.t(&format!("consort-reason-{code}")))),
    );
    let assessed = vec![
        count("consort-assessed", consort.assessed),
        count("consort-eligible-waiting", consort.eligible_not_randomised),
    ];
    let randomised = vec![
        count("consort-randomised", consort.randomised),
        count("consort-already-registered", consort.already_registered),
    ];
    let programme = vec![
        count("consort-programme", consort.programme),
        count("consort-took-up", consort.took_up),
        count("consort-declined", consort.declined),
        count(
            "consort-no-answer",
            consort.programme - consort.took_up - consort.declined,
        ),
    ];
    let control = vec![
        count("consort-control", consort.control),
        count("consort-crossed-over", consort.crossed_over),
    ];
    let (margin, gap) = (12.0, 48.0);
    let left = [&assessed, &randomised, &programme]
        .iter()
        .map(|l| width_for(l))
        .fold(0.0, f64::max);
    let right = width_for(&excluded).max(width_for(&control));
    let right_x = margin + left + gap;
    let place = |x: f64, y: f64, width: f64, lines: Vec<String>| FlowBox { x, y, width, lines };
    let assessed = place(margin, margin, left, assessed);
    let excluded = place(right_x, assessed.bottom() + 20.0, right, excluded);
    let randomised = place(
        margin,
        (assessed.bottom() + 40.0).max(excluded.bottom() + 24.0),
        left,
        randomised,
    );
    let arms_y = randomised.bottom() + 44.0;
    let programme = place(margin, arms_y, left, programme);
    let control = place(right_x, arms_y, right, control);
    let (width, height) = (
        right_x + right + margin,
        programme.bottom().max(control.bottom()) + margin,
    );
    let title = tr.t("consort-title");
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart consort\" role=\"img\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         aria-labelledby=\"consort-title\"><title id=\"consort-title\">{}</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1d2b36\"/></marker></defs>",
        escape(&title)
    );
    let exclusion_y = excluded.y + excluded.height() / 2.0;
    let arrows = [
        (
            assessed.centre(),
            assessed.bottom(),
            randomised.centre(),
            randomised.y,
        ),
        (assessed.centre(), exclusion_y, excluded.x, exclusion_y),
        (
            randomised.centre(),
            randomised.bottom(),
            programme.centre(),
            programme.y,
        ),
        (
            randomised.centre(),
            randomised.bottom(),
            control.centre(),
            control.y,
        ),
    ];
    for (x1, y1, x2, y2) in arrows {
        svg.push_str(&format!(
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#1d2b36\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
        ));
    }
    for flow_box in [&assessed, &excluded, &randomised, &programme, &control] {
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\" fill=\"#f4f7f9\" stroke=\"#2f6f8f\"/>",
            flow_box.x,
            flow_box.y,
            flow_box.width,
            flow_box.height()
        ));
        for (i, line) in flow_box.lines.iter().enumerate() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1d2b36\"{}>{}</text>",
                flow_box.x + 10.0,
                flow_box.y + 24.0 + 18.0 * i as f64,
                if i == 0 { " font-weight=\"bold\"" } else { "" },
                escape(line)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_flow_diagram_shows_every_count_and_escapes_text() {
        let consort = Consort {
            assessed: 120,
            excluded: 20,
            excluded_by_reason: vec![("too_old".into(), 12), ("has_qualification".into(), 9)],
            eligible_not_randomised: 0,
            randomised: 100,
            programme: 51,
            control: 49,
            took_up: 40,
            declined: 6,
            crossed_over: 3,
            already_registered: 2,
        };
        let svg = consort_svg(Tr::new(Lang::En), &consort);
        assert!(svg.contains("Crossed over to the programme: 3"), "{svg}");
        assert!(
            svg.contains("Of these already registered in the programme: 2"),
            "{svg}"
        );
        for figure in ["120", "20", "12", "9", "100", "51", "49", "40", "6"] {
            assert!(svg.contains(figure), "{figure} missing");
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"consort-title\">"));
        assert!(!svg.contains("consort-reason-"), "every reason has a text");
    }
}
