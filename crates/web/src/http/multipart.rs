//! `multipart/form-data` through `multer`: the guard finds the CSRF field in
//! it and the upload handler the file. The body is already in memory, read
//! up to the route's own limit (`RouteSpec::body_limit`).

use axum::body::Bytes;
use std::convert::Infallible;

/// One part: its field name, the file name when it is a file, and its bytes.
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Bytes,
}

/// The largest upload accepted (an outcome file of ~100,000 rows).
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The boundary when the content type is `multipart/form-data`.
pub fn boundary(content_type: &str) -> Option<String> {
    multer::parse_boundary(content_type).ok()
}

/// Every part of a multipart body, or `None` when it is not well formed.
pub async fn parts(body: Bytes, boundary: &str) -> Option<Vec<Part>> {
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name()?.to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field.bytes().await.ok()?;
        parts.push(Part {
            name,
            file_name,
            data,
        });
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_fields_and_files_as_a_browser_sends_them() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"udfald.csv\"\r\nContent-Type: text/csv\r\n\r\n\
pseudonym;x_6m\r\naa;1\r\n\r\n--XyZ--\r\n";
        let boundary = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parts(Bytes::from_static(body), &boundary).await.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data.as_ref()),
            ("csrf", b"abc123".as_slice())
        );
        assert_eq!(parts[1].file_name.as_deref(), Some("udfald.csv"));
        assert_eq!(parts[1].data.as_ref(), b"pseudonym;x_6m\r\naa;1\r\n");
    }

    #[tokio::test]
    async fn refuses_what_is_not_multipart() {
        assert!(boundary("application/x-www-form-urlencoded").is_none());
        let broken = Bytes::from_static(b"--XyZ\r\nno headers end");
        assert!(parts(broken, "XyZ").await.is_none());
        assert!(
            parts(Bytes::from_static(b"csrf=1"), "XyZ")
                .await
                .is_none_or(|p| p.is_empty())
        );
    }

    proptest::proptest! {
        /// Arbitrary bytes, and bytes shaped like a multipart body with
        /// pieces missing or doubled, under any content type: no panic.
        #[test]
        fn never_panics(
            content_type in proptest::prelude::any::<String>(),
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "--XyZ\r\n", "--XyZ--\r\n", "Content-Disposition: form-data; name=\"csrf\"\r\n",
                    "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n",
                    "Content-Type: text/csv\r\n", "\r\n", "abc;1\r\n", "\u{0}", "æøå",
                ]),
                0..16,
            ),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let _ = boundary(&content_type);
            let shaped: Vec<u8> = pieces.concat().into_bytes();
            for body in [noise, shaped] {
                let _ = runtime.block_on(parts(Bytes::from(body), "XyZ"));
            }
        }
    }
}
