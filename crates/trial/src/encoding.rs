//! The one canonical byte encoding used for everything that is hashed or signed.
//!
//! Integers are fixed-width big-endian; strings and byte strings carry a `u32` big-endian length
//! prefix; fixed-size hashes are written raw. Every hashed document starts with a length-prefixed
//! ASCII domain label (e.g. `spire-trial/leaf/v1`), so bytes of one kind can never be read as another.
//! There is exactly one encoding of each value, which is what lets an auditor re-implement it.

use std::fmt;

#[derive(Default)]
pub(crate) struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// Starts a document with its domain label.
    pub(crate) fn with_domain(domain: &str) -> Writer {
        let mut writer = Writer {
            bytes: Vec::with_capacity(256),
        };
        writer.str(domain);
        writer
    }

    pub(crate) fn u8(&mut self, value: u8) -> &mut Self {
        self.bytes.push(value);
        self
    }

    pub(crate) fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    pub(crate) fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    pub(crate) fn i64(&mut self, value: i64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_be_bytes());
        self
    }

    pub(crate) fn len(&mut self, len: usize) -> &mut Self {
        // Every length in a Spire document is far below 4 GiB; the design and leaf validation keeps it so.
        self.u32(u32::try_from(len).expect("encoded length fits in u32"))
    }

    pub(crate) fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.len(value.len());
        self.bytes.extend_from_slice(value);
        self
    }

    pub(crate) fn str(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }

    pub(crate) fn raw(&mut self, value: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(value);
        self
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// Why canonical bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes ended before the value did.
    Truncated,
    /// The document does not start with the expected domain label.
    WrongDomain { expected: &'static str },
    /// A tag byte has no meaning in this version.
    UnknownTag { field: &'static str, tag: u8 },
    /// A string field is not UTF-8.
    NotUtf8 { field: &'static str },
    /// Bytes remain after the value; canonical documents have no trailing data.
    TrailingBytes,
    /// The decoded value breaks a rule of its type (e.g. an invalid design).
    Invalid(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => write!(f, "truncated"),
            DecodeError::WrongDomain { expected } => write!(f, "not a {expected} document"),
            DecodeError::UnknownTag { field, tag } => write!(f, "unknown {field} tag {tag}"),
            DecodeError::NotUtf8 { field } => write!(f, "{field} is not UTF-8"),
            DecodeError::TrailingBytes => write!(f, "trailing bytes"),
            DecodeError::Invalid(reason) => write!(f, "invalid: {reason}"),
        }
    }
}

impl std::error::Error for DecodeError {}

pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Opens a document and checks its domain label.
    pub(crate) fn with_domain(bytes: &'a [u8], domain: &'static str) -> Result<Self, DecodeError> {
        let mut reader = Reader { rest: bytes };
        match reader.bytes() {
            Ok(label) if label == domain.as_bytes() => Ok(reader),
            Ok(_) | Err(DecodeError::Truncated) => {
                Err(DecodeError::WrongDomain { expected: domain })
            }
            Err(other) => Err(other),
        }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], DecodeError> {
        if self.rest.len() < count {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.rest.split_at(count);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        Ok(self.take(N)?.try_into().expect("take returns N bytes"))
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    pub(crate) fn hash(&mut self) -> Result<[u8; 32], DecodeError> {
        self.array()
    }

    pub(crate) fn len(&mut self) -> Result<usize, DecodeError> {
        let len = self.u32()? as usize;
        // A length longer than what is left is corrupt; refusing early avoids huge allocations.
        if len > self.rest.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(len)
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.len()?;
        self.take(len)
    }

    pub(crate) fn string(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let bytes = self.bytes()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::NotUtf8 { field })
    }

    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}
