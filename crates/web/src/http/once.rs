//! One-time form tokens. Every form a page renders carries a fresh `once`
//! value; the first post with it is handled, and the same form sent again (a
//! reload, a double click, back and send) is answered 409 "already sent"
//! before any handler runs — so nothing is written twice, evidence least of
//! all. A form that is refused (4xx, 5xx) gives its token back, so the
//! corrected form can be sent.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a used token is remembered: longer than anyone keeps a tab open
/// to reload it.
const REMEMBERED: Duration = Duration::from_secs(24 * 3600);
/// Above this many remembered tokens the oldest hour goes first, so memory
/// stays bounded whatever is sent.
const MOST: usize = 200_000;

#[derive(Default)]
pub struct OnceForms {
    used: Mutex<HashMap<String, Instant>>,
}

impl OnceForms {
    /// Takes the token for this request; false when it was taken before.
    pub fn claim(&self, key: &str) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if used.len() >= MOST {
            let now = Instant::now();
            used.retain(|_, at| now.duration_since(*at) < REMEMBERED);
            if used.len() >= MOST {
                used.retain(|_, at| now.duration_since(*at) < Duration::from_secs(3600));
            }
        }
        if used.contains_key(key) {
            return false;
        }
        used.insert(key.to_string(), Instant::now());
        true
    }

    /// Gives the token back: the request it came with was refused.
    pub fn release(&self, key: &str) {
        self.used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// A fresh token for one rendered form.
pub fn new_once() -> String {
    spire_store::crypto::random_token()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_taken_once_and_given_back_after_a_refusal() {
        let forms = OnceForms::default();
        assert!(forms.claim("7:abc"));
        assert!(!forms.claim("7:abc"), "the reload");
        assert!(forms.claim("8:abc"), "another user's token space");
        forms.release("7:abc");
        assert!(forms.claim("7:abc"), "the corrected form");
        assert_ne!(new_once(), new_once());
    }
}
