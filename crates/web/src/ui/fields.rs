//! Form fields with their labels, values and messages, in the user's language.

use crate::i18n::Tr;
use std::collections::BTreeMap;

/// One input of a form, with its label, value and message in the user's language.
pub struct FormField {
    pub name: &'static str,
    /// The element's id: the name, or prefixed when one page has the same
    /// form more than once (`within`).
    pub dom_id: String,
    pub label: String,
    /// `text`, `email`, `tel`, `password`, `date`, `time`, `number` (decimals),
    /// `integer` (whole numbers), `textarea` or `select`.
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub options: Vec<(String, String)>,
    /// The longest text the server accepts, known before submitting.
    pub max_length: Option<usize>,
}

impl FormField {
    /// A field whose label is the Fluent message `field-<name>`.
    pub fn new(
        tr: Tr,
        name: &'static str,
        kind: &'static str,
        value: &str,
        messages: &FieldMessages,
    ) -> FormField {
        FormField {
            name,
            dom_id: name.to_string(),
            label: tr.t(&format!("field-{}", name.replace('_', "-"))),
            kind,
            autocomplete: "off",
            value: value.to_string(),
            required: false,
            hint: None,
            error: messages.get(name).cloned(),
            options: Vec::new(),
            max_length: None,
        }
    }

    /// Gives the element an id of its own among several copies of a form.
    pub fn within(mut self, prefix: &str) -> FormField {
        self.dom_id = format!("{prefix}-{}", self.name);
        self
    }

    pub fn required(mut self) -> FormField {
        self.required = true;
        self
    }

    pub fn autocomplete(mut self, value: &'static str) -> FormField {
        self.autocomplete = value;
        self
    }

    pub fn hint(mut self, hint: String) -> FormField {
        self.hint = Some(hint);
        self
    }

    pub fn max_length(mut self, max: usize) -> FormField {
        self.max_length = Some(max);
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> FormField {
        self.options = options;
        self
    }
}

/// Messages beside form fields, already translated.
#[derive(Default)]
pub struct FieldMessages(pub BTreeMap<&'static str, String>);

impl FieldMessages {
    pub fn from_errors(tr: Tr, errors: &[spire_domain::FieldError]) -> FieldMessages {
        let mut map = BTreeMap::new();
        for error in errors {
            map.entry(error.field).or_insert_with(|| tr.problem(error));
        }
        FieldMessages(map)
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The CPR number (never written back into the page) and the name: the first
/// fields of every form that registers or screens a young person.
pub fn person_fields(
    tr: Tr,
    first_name: &str,
    last_name: &str,
    messages: &FieldMessages,
) -> [FormField; 3] {
    [
        FormField::new(tr, "cpr", "text", "", messages)
            .required()
            .hint(tr.t("hint-cpr")),
        FormField::new(tr, "first_name", "text", first_name, messages)
            .required()
            .autocomplete("given-name"),
        FormField::new(tr, "last_name", "text", last_name, messages)
            .required()
            .autocomplete("family-name"),
    ]
}

/// One of several small forms on a record's page (`action_forms.html`), shown
/// folded; the one that was refused opens with its messages.
pub struct ActionForm {
    pub id: &'static str,
    pub title: String,
    pub action: String,
    pub button: String,
    pub open: bool,
}
