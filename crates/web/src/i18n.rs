//! Languages and translation. Danish first, English second; every text a
//! user reads comes from the Fluent files in `locales/`.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "da",
        // Bidi isolation marks would show up in plain-text and JSON output.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "da" | "da-dk" => Some(Lang::Da),
            "en" | "en-gb" | "en-us" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header, by q-value;
    /// Danish when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::from_code(primary)
                && best.is_none_or(|(best_q, _)| q > best_q)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    fn id(self) -> LanguageIdentifier {
        self.code().parse().expect("static language tags parse")
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Da => Lang::En,
            Lang::En => Lang::Da,
        }
    }
}

/// A translator for one language, handed to templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn t(&self, id: &str) -> String {
        LOCALES.lookup(&self.lang.id(), id)
    }

    /// A message with named arguments (numbers stay numbers for plural rules).
    pub fn t_args(&self, id: &str, args: &[(&'static str, Arg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(text) => FluentValue::from(text.clone()),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        LOCALES.lookup_with_args(&self.lang.id(), id, &map)
    }

    /// An access-log criterion as stored (a code, or `name: …` for a name
    /// search) in words; an unknown code is shown as it is.
    pub fn criterion(&self, raw: &str) -> String {
        if let Some(name) = raw.strip_prefix("name: ") {
            return self.t_args("criterion-name", &[("name", Arg::Text(name.to_string()))]);
        }
        if let Some(words) = LOCALES.try_lookup(&self.lang.id(), &criterion_id(raw)) {
            return words;
        }
        // A criterion that names a record ends with its number
        // ("trial receipt, allocation 12"): the message takes it as `n`.
        match raw.rsplit_once(' ') {
            Some((head, number)) if number.parse::<i64>().is_ok() => {
                let args: HashMap<Cow<'static, str>, FluentValue> =
                    HashMap::from([(Cow::Borrowed("n"), FluentValue::from(number.to_string()))]);
                LOCALES
                    .try_lookup_with_args(&self.lang.id(), &criterion_id(head), &args)
                    .unwrap_or_else(|| raw.to_string())
            }
            _ => raw.to_string(),
        }
    }

    /// A name chosen by a user (an outcome column, a factor) in words: the
    /// message `{kind}-{name}` when there is one (the common ones), otherwise
    /// the name itself with spaces for underscores.
    pub fn named(&self, kind: &str, name: &str) -> String {
        LOCALES
            .try_lookup(
                &self.lang.id(),
                &format!("{kind}-{}", name.replace('_', "-")),
            )
            .unwrap_or_else(|| name.replace('_', " "))
    }

    /// `t_args` with one number `n` (for counts with plural forms).
    pub fn count(&self, id: &str, n: i64) -> String {
        self.t_args(id, &[("n", Arg::Number(n))])
    }

    /// A date as people here write it: 29.11.2026.
    pub fn date(&self, unix_seconds: impl std::borrow::Borrow<i64>) -> String {
        time::OffsetDateTime::from_unix_timestamp(*unix_seconds.borrow())
            .map(|t| {
                let t = copenhagen(t);
                format!("{:02}.{:02}.{}", t.day(), t.month() as u8, t.year())
            })
            .unwrap_or_default()
    }

    /// A date and time in Copenhagen time: 29.11.2026 14:05.
    pub fn datetime(&self, unix_seconds: impl std::borrow::Borrow<i64>) -> String {
        time::OffsetDateTime::from_unix_timestamp(*unix_seconds.borrow())
            .map(|t| {
                let t = copenhagen(t);
                format!(
                    "{:02}.{:02}.{} {:02}:{:02}",
                    t.day(),
                    t.month() as u8,
                    t.year(),
                    t.hour(),
                    t.minute()
                )
            })
            .unwrap_or_default()
    }

    /// Why a field was refused, with the numbers the message needs.
    pub fn problem(&self, error: &spire_domain::FieldError) -> String {
        let args: Vec<(&'static str, Arg)> = error
            .args
            .iter()
            .map(|(name, value)| (*name, Arg::Number(*value)))
            .collect();
        let message = self.t_args(error.problem.message_id(), &args);
        // A problem with one of a list's items (a review's items) names it.
        match error.args.iter().find(|(name, _)| *name == "item") {
            Some((_, item)) => format!(
                "{} {message}",
                self.t_args("problem-item", &[("item", Arg::Number(*item))])
            ),
            None => message,
        }
    }

    /// A refused field as one line: "Field: why".
    pub fn field_error(&self, error: &spire_domain::FieldError) -> String {
        format!(
            "{}: {}",
            self.t(&format!("field-{}", error.field.replace('_', "-"))),
            self.problem(error)
        )
    }

    /// A number with `decimals` places and the language's decimal mark (0,25 in Danish).
    pub fn number(&self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return "–".into();
        }
        let text = format!("{value:.decimals$}").replace('-', "−");
        match self.lang {
            Lang::Da => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// A share 0–1 as a whole percentage ("75 %"), or a dash when there is none.
    pub fn percent(&self, share: Option<f64>) -> String {
        share
            .map(|s| format!("{} %", self.number(s * 100.0, 0)))
            .unwrap_or_else(|| "–".into())
    }

    /// A p-value as journals print it: three decimals, or "< 0.001".
    pub fn p_value(&self, p: f64) -> String {
        if p.is_finite() && p < 0.001 {
            format!("< {}", self.number(0.001, 3))
        } else {
            self.number(p, 3)
        }
    }

    /// A month written YYYY-MM, as people read it: "nov. 2025" ("Nov 2025").
    pub fn year_month(&self, iso: &str) -> String {
        match iso.split_once('-').map(|(y, m)| (y, m.parse::<u8>())) {
            Some((year, Ok(month @ 1..=12))) => {
                format!("{} {year}", self.t(&format!("month-short-{month}")))
            }
            _ => iso.to_string(),
        }
    }

    /// An ISO date (YYYY-MM-DD) shown the Danish way.
    pub fn iso_date(&self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        match parts.as_slice() {
            [y, m, d] => format!("{d}.{m}.{y}"),
            _ => iso.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

/// Today's date in Copenhagen (what "today" means to the people using Spire).
/// The Fluent id of a stored access-log criterion: `trial take-up pending`
/// is `criterion-trial-take-up-pending`.
pub fn criterion_id(raw: &str) -> String {
    let mut id = String::from("criterion-");
    for c in raw.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

pub fn today_in_copenhagen() -> time::Date {
    copenhagen(time::OffsetDateTime::now_utc()).date()
}

/// A moment as the clock on the wall in Copenhagen shows it, by the IANA
/// time-zone database (jiff's bundled copy), so summer time is right in
/// every year and for every rule change.
fn copenhagen(utc: time::OffsetDateTime) -> time::OffsetDateTime {
    static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    let zone = ZONE.get_or_init(|| {
        jiff::tz::TimeZone::get("Europe/Copenhagen").expect("the bundled database has Copenhagen")
    });
    let offset = jiff::Timestamp::from_second(utc.unix_timestamp())
        .map(|moment| zone.to_offset(moment).seconds())
        .unwrap_or(3600);
    time::UtcOffset::from_whole_seconds(offset)
        .map(|offset| utc.to_offset(offset))
        .unwrap_or(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_criterion_that_names_a_record_reads_in_words_with_its_number() {
        let da = Tr::new(Lang::Da);
        assert_eq!(
            da.criterion("trial receipt, allocation 15"),
            "kvittering for lodtrækning 15"
        );
        assert_eq!(
            da.criterion("trial take-up pending"),
            "tilbud der venter på svar"
        );
        assert_eq!(da.criterion("no such thing 3"), "no such thing 3");
    }

    #[test]
    fn accept_language_prefers_by_quality() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,da;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,da;q=0.5,en;q=0.4"),
            Lang::Da
        );
        assert_eq!(Lang::from_accept_language("fr"), Lang::Da);
        assert_eq!(Lang::from_accept_language(""), Lang::Da);
    }

    #[test]
    fn months_read_as_people_write_them() {
        assert_eq!(Tr::new(Lang::Da).year_month("2025-11"), "nov. 2025");
        assert_eq!(Tr::new(Lang::Da).year_month("2026-05"), "maj 2026");
        assert_eq!(Tr::new(Lang::En).year_month("2026-05"), "May 2026");
        assert_eq!(Tr::new(Lang::Da).year_month("2026-13"), "2026-13");
    }

    /// Each capability's Fluent file exists in both languages with the same
    /// message ids, and no id is defined in two files (the later would win).
    #[test]
    fn every_message_exists_in_both_languages_once() {
        use std::collections::{BTreeMap, BTreeSet};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let files = |lang: &str| -> BTreeMap<String, Vec<String>> {
            std::fs::read_dir(dir.join(lang))
                .expect("locale folder")
                .map(|entry| entry.expect("entry").path())
                .filter(|path| path.extension().is_some_and(|e| e == "ftl"))
                .map(|path| {
                    let text = std::fs::read_to_string(&path).expect("ftl file");
                    let ids = text
                        .lines()
                        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
                        .collect();
                    let name = path
                        .file_name()
                        .expect("name")
                        .to_string_lossy()
                        .into_owned();
                    (name, ids)
                })
                .collect()
        };
        let (da, en) = (files("da"), files("en"));
        assert_eq!(
            da.keys().collect::<Vec<_>>(),
            en.keys().collect::<Vec<_>>(),
            "the same files in both languages"
        );
        for (name, da_ids) in &da {
            let da_ids: BTreeSet<_> = da_ids.iter().collect();
            let en_ids: BTreeSet<_> = en[name].iter().collect();
            assert_eq!(
                da_ids.difference(&en_ids).collect::<Vec<_>>(),
                Vec::<&&String>::new(),
                "missing in English {name}"
            );
            assert_eq!(
                en_ids.difference(&da_ids).collect::<Vec<_>>(),
                Vec::<&&String>::new(),
                "missing in Danish {name}"
            );
        }
        let mut seen = BTreeSet::new();
        for id in da.values().flatten() {
            assert!(seen.insert(id), "{id} is defined twice");
        }
        assert!(seen.len() > 400);
    }

    #[test]
    fn dates_are_danish_and_in_copenhagen_time() {
        let tr = Tr::new(Lang::Da);
        // 2026-07-01 22:30 UTC is 2 July 00:30 in Copenhagen (summer time).
        assert_eq!(tr.datetime(1_782_945_000), "02.07.2026 00:30");
        // 2026-01-15 12:00 UTC is 13:00 in winter.
        assert_eq!(tr.datetime(1_768_478_400), "15.01.2026 13:00");
        // Summer time starts at 01:00 UTC on the last Sunday of March (29 March 2026)
        // and ends at 01:00 UTC on the last Sunday of October (25 October 2026).
        assert_eq!(tr.datetime(1_774_745_940), "29.03.2026 01:59");
        assert_eq!(tr.datetime(1_774_746_000), "29.03.2026 03:00");
        assert_eq!(tr.datetime(1_792_889_940), "25.10.2026 02:59");
        assert_eq!(tr.datetime(1_792_890_000), "25.10.2026 02:00");
        assert_eq!(tr.iso_date("2003-02-01"), "01.02.2003");
    }
}
