//! Form fields with their labels, values and messages, in the user's language.

use crate::i18n::Tr;
use spire_domain::validation::limits;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

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

    /// A label of its own, where the shared `field-<name>` means something
    /// else (an event's title is not a contact's job title).
    pub fn labelled(mut self, label: String) -> FormField {
        self.label = label;
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

/// Messages beside form fields, already translated. Each field that shows its
/// message marks it placed; whatever no field showed is said at the top of the
/// form (`FormBanner`), so a refusal about something that is not an input (a
/// young person without a course, a meeting already held) is never lost.
#[derive(Default, Clone)]
pub struct FieldMessages {
    messages: Arc<BTreeMap<&'static str, String>>,
    placed: Arc<Mutex<BTreeSet<&'static str>>>,
}

impl FieldMessages {
    pub fn from_errors(tr: Tr, errors: &[spire_domain::FieldError]) -> FieldMessages {
        let mut map = BTreeMap::new();
        for error in errors {
            map.entry(error.field).or_insert_with(|| tr.problem(error));
        }
        FieldMessages {
            messages: Arc::new(map),
            placed: Arc::default(),
        }
    }

    /// The message for `field`, marked as shown beside it.
    pub fn get(&self, field: &str) -> Option<&String> {
        let (name, message) = self.messages.get_key_value(field)?;
        self.placed_names().insert(name);
        Some(message)
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The messages none of `fields` shows, for a form that says them itself
    /// (one of several forms on a page); marked as shown.
    pub fn not_on(&self, fields: &[FormField]) -> Vec<String> {
        let mut placed = self.placed_names();
        self.messages
            .iter()
            .filter(|(name, _)| !fields.iter().any(|f| f.name == **name))
            .map(|(name, message)| {
                placed.insert(name);
                message.clone()
            })
            .collect()
    }

    /// The banner over the form, read when the page is rendered, after every
    /// field has taken its message.
    pub fn banner(&self) -> FormBanner {
        FormBanner(self.clone())
    }

    fn placed_names(&self) -> std::sync::MutexGuard<'_, BTreeSet<&'static str>> {
        self.placed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The alert over a refused form (`form_errors.html`): the messages no field
/// showed, word for word, and a pointer to the fields when any field has one.
#[derive(Default)]
pub struct FormBanner(FieldMessages);

impl FormBanner {
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    pub fn unplaced(&self) -> Vec<&String> {
        let placed = self.0.placed_names();
        self.0
            .messages
            .iter()
            .filter(|(name, _)| !placed.contains(*name))
            .map(|(_, message)| message)
            .collect()
    }

    pub fn any_placed(&self) -> bool {
        !self.0.placed_names().is_empty()
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
            .max_length(limits::TYPED_NUMBER)
            // A refused form says why the number it had is gone.
            .hint(tr.t(if !messages.is_empty() {
                "hint-cpr-again"
            } else {
                "hint-cpr"
            })),
        FormField::new(tr, "first_name", "text", first_name, messages)
            .required()
            .max_length(limits::PERSON_NAME)
            .autocomplete("given-name"),
        FormField::new(tr, "last_name", "text", last_name, messages)
            .required()
            .max_length(limits::PERSON_NAME)
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
