//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1,
//! six digits, 30-second steps, one step of clock drift either way. What
//! authenticator apps (Google Authenticator, Microsoft Authenticator, 1Password)
//! expect from an `otpauth://` URI.

use hmac::{Hmac, Mac};

pub const SECRET_BYTES: usize = 20;
const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;

/// HOTP value of `counter` (RFC 4226 §5.3), truncated to `digits`.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

/// The step a six-digit `code` belongs to, if it is valid at `unix_seconds`
/// (± one step) and later than `last_step` (a code is used once).
pub fn matching_step(
    secret: &[u8],
    code: &str,
    unix_seconds: i64,
    last_step: Option<i64>,
) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let now = unix_seconds.div_euclid(STEP_SECONDS);
    (now - 1..=now + 1)
        .filter(|&step| step >= 0 && last_step.is_none_or(|last| step > last))
        .find(|&step| hotp(secret, step as u64, DIGITS) == wanted)
}

/// The code an authenticator app shows at `unix_seconds` (for tests and tools).
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    format!(
        "{:06}",
        hotp(secret, unix_seconds.div_euclid(STEP_SECONDS) as u64, DIGITS)
    )
}

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &[u8], login: &str) -> String {
    let label: String = login
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "otpauth://totp/Spire:{label}?secret={}&issuer=Spire&algorithm=SHA1&digits=6&period=30",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (eight digits there; six are its last six).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(secret, (time / 30) as u64, 8), code, "t = {time}");
            let six = format!("{:06}", code % 1_000_000);
            assert_eq!(matching_step(secret, &six, time, None), Some(time / 30));
        }
    }

    #[test]
    fn a_code_works_once_within_a_step_of_drift_and_never_otherwise() {
        let secret = b"12345678901234567890";
        let code = format!("{:06}", hotp(secret, 1000, 6));
        assert_eq!(
            matching_step(secret, &code, 1000 * 30 + 29, None),
            Some(1000)
        );
        assert_eq!(
            matching_step(secret, &code, 1001 * 30, None),
            Some(1000),
            "30 s late"
        );
        assert_eq!(
            matching_step(secret, &code, 999 * 30, None),
            Some(1000),
            "30 s early"
        );
        assert_eq!(
            matching_step(secret, &code, 1002 * 30, None),
            None,
            "60 s late"
        );
        assert_eq!(
            matching_step(secret, &code, 1000 * 30, Some(1000)),
            None,
            "replayed"
        );
        for bad in ["", "12345", "1234567", "12a456"] {
            assert_eq!(matching_step(secret, bad, 1000 * 30, None), None);
        }
        assert_eq!(
            matching_step(
                secret,
                &format!("{} {}", &code[..3], &code[3..]),
                30_000,
                None
            ),
            Some(1000)
        );
    }

    #[test]
    fn base32_as_rfc_4648_and_the_uri() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        let uri = otpauth_uri(b"12345678901234567890", "ida.roskilde");
        assert_eq!(
            uri,
            "otpauth://totp/Spire:ida.roskilde?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Spire&algorithm=SHA1&digits=6&period=30"
        );
    }
}
