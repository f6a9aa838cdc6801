//! The CONSORT flow diagram as an accessible SVG.

use crate::i18n::{Arg, Tr};
use spire_store::Consort;

/// One box of the CONSORT flow diagram.
pub(super) struct FlowBox {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) lines: Vec<String>,
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The CONSORT flow as an accessible SVG: assessed → excluded (by reason) →
/// randomised → each arm → take-up of the programme offer.
pub fn consort_svg(tr: Tr, consort: &Consort) -> String {
    let (width, box_width, box_height) = (640.0, 230.0, 64.0_f64);
    let count = |id: &str, n: i64| tr.t_args(id, &[("n", Arg::Number(n))]);
    let mut excluded = vec![count("consort-excluded", consort.excluded)];
    excluded.extend(
        consort
            .excluded_by_reason
            .iter()
            .map(|(code, n)| format!("· {}: {n}", tr.t(&format!("consort-reason-{code}")))),
    );
    let boxes = [
        FlowBox {
            x: 205.0,
            y: 10.0,
            lines: vec![
                count("consort-assessed", consort.assessed),
                count("consort-eligible-waiting", consort.eligible_not_randomised),
            ],
        },
        FlowBox {
            x: 400.0,
            y: 90.0,
            lines: excluded,
        },
        FlowBox {
            x: 205.0,
            y: 190.0,
            lines: vec![
                count("consort-randomised", consort.randomised),
                count("consort-already-registered", consort.already_registered),
            ],
        },
        FlowBox {
            x: 40.0,
            y: 290.0,
            lines: vec![
                count("consort-programme", consort.programme),
                count("consort-took-up", consort.took_up),
                count("consort-declined", consort.declined),
                count(
                    "consort-no-answer",
                    consort.programme - consort.took_up - consort.declined,
                ),
            ],
        },
        FlowBox {
            x: 370.0,
            y: 290.0,
            lines: vec![
                count("consort-control", consort.control),
                count("consort-crossed-over", consort.crossed_over),
            ],
        },
    ];
    let title = tr.t("consort-title");
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart consort\" role=\"img\" viewBox=\"0 0 {width} 390\" \
         aria-labelledby=\"consort-title\"><title id=\"consort-title\">{}</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1d2b36\"/></marker></defs>",
        escape(&title)
    );
    let arrows = [
        (320.0, 74.0, 320.0, 190.0),
        (320.0, 122.0, 400.0, 122.0),
        (320.0, 254.0, 155.0, 290.0),
        (320.0, 254.0, 485.0, 290.0),
    ];
    for (x1, y1, x2, y2) in arrows {
        svg.push_str(&format!(
            "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#1d2b36\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
        ));
    }
    for flow_box in &boxes {
        let height = box_height.max(22.0 + 18.0 * flow_box.lines.len() as f64);
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{box_width}\" height=\"{height}\" rx=\"4\" fill=\"#f4f7f9\" stroke=\"#2f6f8f\"/>",
            flow_box.x, flow_box.y
        ));
        for (i, line) in flow_box.lines.iter().enumerate() {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1d2b36\"{}>{}</text>",
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
