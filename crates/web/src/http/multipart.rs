//! A small `multipart/form-data` reader for the outcome upload: the guard
//! finds the CSRF field in it and the handler the file. The whole body is
//! already in memory (bounded), so no streaming parser is needed.

/// One part: its field name, the file name when it is a file, and its bytes.
pub struct Part<'a> {
    pub name: String,
    pub file_name: Option<String>,
    pub data: &'a [u8],
}

/// The largest upload accepted (an outcome file of ~100,000 rows).
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The boundary when the content type is `multipart/form-data`.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, parameters) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parameters.split(';').find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A quoted parameter such as `name="file"` from a Content-Disposition line.
fn parameter(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').find_map(|item| {
        let (k, v) = item.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The parts of a body, or `None` when it is not well-formed.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let separator = format!("\r\n--{boundary}");
    let mut position = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    let mut found = Vec::new();
    loop {
        let rest = body.get(position..)?;
        if rest.starts_with(b"--") {
            return Some(found);
        }
        position += 2; // CRLF after the delimiter
        let headers_end = find(body, b"\r\n\r\n", position)?;
        let headers = std::str::from_utf8(&body[position..headers_end]).ok()?;
        let disposition = headers.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(value)
        })?;
        let start = headers_end + 4;
        let end = find(body, separator.as_bytes(), start)?;
        found.push(Part {
            name: parameter(disposition, "name")?,
            file_name: parameter(disposition, "filename"),
            data: &body[start..end],
        });
        position = end + separator.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files_as_a_browser_sends_them() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"udfald.csv\"\r\nContent-Type: text/csv\r\n\r\n\
pseudonym;x_6m\r\naa;1\r\n\r\n--XyZ--\r\n";
        let boundary = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parts(body, &boundary).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data),
            ("csrf", b"abc123".as_slice())
        );
        assert_eq!(parts[1].file_name.as_deref(), Some("udfald.csv"));
        assert_eq!(parts[1].data, b"pseudonym;x_6m\r\naa;1\r\n");
    }

    #[test]
    fn refuses_what_is_not_multipart() {
        assert!(boundary("application/x-www-form-urlencoded").is_none());
        assert!(parts(b"--XyZ\r\nno headers end", "XyZ").is_none());
        assert!(parts(b"csrf=1", "XyZ").is_none());
    }
}
