//! The server key: encrypts CPR numbers at rest (XChaCha20-Poly1305) and
//! derives the keyed look-up hash (HMAC-SHA256) used to find a youth by CPR
//! without storing the number in the clear. The key lives in a file outside
//! the database, so a copy of the database alone reveals no CPR number.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const NONCE_LEN: usize = 24;
/// Binds the ciphertext to its purpose so it cannot be replayed into another column.
const CPR_AAD: &[u8] = b"spire/cpr/v1";

#[derive(Clone)]
pub struct ServerKey {
    cipher_key: [u8; 32],
    lookup_key: [u8; 32],
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    /// A fresh random key, hex-encoded for a key file.
    pub fn generate_hex() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    /// Parses the key file's content: 64 hex digits (surrounding space ignored).
    pub fn from_hex(text: &str) -> Result<ServerKey, String> {
        let bytes = hex::decode(text.trim())
            .map_err(|_| "the key file must hold 64 hexadecimal digits".to_string())?;
        let master: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the key file must hold 64 hexadecimal digits (32 bytes)".to_string())?;
        // Separate sub-keys for the two uses, so neither can stand in for the other.
        Ok(ServerKey {
            cipher_key: derive(&master, b"spire/cipher/v1"),
            lookup_key: derive(&master, b"spire/lookup/v1"),
        })
    }

    pub fn encrypt_cpr(&self, cpr: &spire_domain::Cpr) -> Vec<u8> {
        self.encrypt(CPR_AAD, cpr.expose_digits().as_bytes())
    }

    pub fn decrypt_cpr(&self, stored: &[u8]) -> Result<spire_domain::Cpr, crate::Error> {
        let plain = self.decrypt(CPR_AAD, stored)?;
        let text = String::from_utf8(plain).map_err(|_| crate::Error::Crypto)?;
        spire_domain::Cpr::parse("cpr", &text).map_err(|_| crate::Error::Crypto)
    }

    /// Encrypts a secret for one purpose (`aad` names it), with a random nonce in front.
    pub fn encrypt(&self, aad: &[u8], secret: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new((&self.cipher_key).into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad })
            .expect("XChaCha20-Poly1305 encryption of a short secret cannot fail");
        [nonce.as_slice(), &ciphertext].concat()
    }

    /// The inverse of `encrypt`, for the same purpose only.
    pub fn decrypt(&self, aad: &[u8], stored: &[u8]) -> Result<Vec<u8>, crate::Error> {
        if stored.len() <= NONCE_LEN {
            return Err(crate::Error::Crypto);
        }
        let (nonce, ciphertext) = stored.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new((&self.cipher_key).into());
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| crate::Error::Crypto)
    }

    /// Keyed hash of the normalised CPR number: finds duplicates across all
    /// municipalities without an unkeyed (brute-forceable) hash.
    pub fn cpr_lookup(&self, cpr: &spire_domain::Cpr) -> Vec<u8> {
        derive(&self.lookup_key, cpr.expose_digits().as_bytes()).to_vec()
    }
}

impl ServerKey {
    /// A subject's pseudonym for one study: the same youth gets the same
    /// pseudonym within a study and unlinkable ones across studies.
    pub fn study_pseudonym(&self, study: &str, subject: &[u8]) -> String {
        let message = [
            b"spire/study/v1/".as_slice(),
            study.as_bytes(),
            &[0],
            subject,
        ]
        .concat();
        hex::encode(&derive(&self.lookup_key, &message)[..16])
    }
}

fn derive(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// SHA-256 hex of a secret token: sessions and API tokens are stored hashed.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A 128-bit random token, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpr_round_trips_and_ciphertext_hides_it() {
        let key = ServerKey::from_hex(&ServerKey::generate_hex()).unwrap();
        let cpr = spire_domain::Cpr::parse("cpr", "010203-4000").unwrap();
        let stored = key.encrypt_cpr(&cpr);
        assert!(!stored.windows(10).any(|w| w == b"0102034000"));
        assert_eq!(key.decrypt_cpr(&stored).unwrap(), cpr);
        // Two encryptions differ (random nonce) but the look-up hash is stable.
        assert_ne!(stored, key.encrypt_cpr(&cpr));
        assert_eq!(key.cpr_lookup(&cpr), key.cpr_lookup(&cpr));
        // Another key can neither decrypt nor reproduce the look-up hash.
        let other = ServerKey::from_hex(&ServerKey::generate_hex()).unwrap();
        assert!(other.decrypt_cpr(&stored).is_err());
        assert_ne!(other.cpr_lookup(&cpr), key.cpr_lookup(&cpr));
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let key = ServerKey::from_hex(&ServerKey::generate_hex()).unwrap();
        let cpr = spire_domain::Cpr::parse("cpr", "010203-4000").unwrap();
        let mut stored = key.encrypt_cpr(&cpr);
        let last = stored.len() - 1;
        stored[last] ^= 1;
        assert!(key.decrypt_cpr(&stored).is_err());
    }

    #[test]
    fn key_file_must_be_32_hex_bytes() {
        assert!(ServerKey::from_hex("abc").is_err());
        assert!(ServerKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(ServerKey::from_hex(&format!(" {}\n", "ab".repeat(32))).is_ok());
    }
}
