//! RS256-signed JSON Web Tokens, the assertion of a service account's JWT-bearer grant, on
//! `ring` (which rustls already compiles into this crate).

use std::sync::Arc;

use base64::Engine as _;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

/// A service account's private key, read from the PEM text of its key file.
#[derive(Clone)]
pub(super) struct SigningKey(Arc<RsaKeyPair>);

impl SigningKey {
    /// Reads a PEM `PRIVATE KEY` (PKCS #8, what Google's key files hold) or `RSA PRIVATE KEY`
    /// (PKCS #1). The error never quotes the key.
    pub(super) fn from_pem(pem: &str) -> Result<SigningKey, String> {
        let (label, der) = pem_block(pem)?;
        let pair = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            other => {
                return Err(format!(
                    "the key is a PEM {other:?}, not an RSA private key"
                ));
            }
        }
        .map_err(|error| format!("the private key is not a usable RSA key ({error})"))?;
        Ok(SigningKey(Arc::new(pair)))
    }

    /// `header.claims.signature`, each part base64url without padding.
    pub(super) fn sign(
        &self,
        header: &serde_json::Value,
        claims: &serde_json::Value,
    ) -> Result<String, String> {
        let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let signed = format!(
            "{}.{}",
            encode(header.to_string().as_bytes()),
            encode(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "the assertion could not be signed".to_owned())?;
        Ok(format!("{signed}.{}", encode(&signature)))
    }
}

/// The label and decoded body of the first PEM block in `pem`.
fn pem_block(pem: &str) -> Result<(&str, Vec<u8>), String> {
    let start = pem
        .find("-----BEGIN ")
        .ok_or("the private key is not PEM text (no BEGIN line)")?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let label_end = rest
        .find("-----")
        .ok_or("the PEM BEGIN line is not closed")?;
    let label = &rest[..label_end];
    let body = &rest[label_end + "-----".len()..];
    let end = body
        .find(&format!("-----END {label}-----"))
        .ok_or_else(|| format!("the PEM {label:?} block has no END line"))?;
    let base64: String = body[..end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| format!("the PEM {label:?} block is not valid base64"))?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_errors_name_the_problem_not_the_key() {
        let cases = [
            ("MIIsecret", "no BEGIN line"),
            ("-----BEGIN PRIVATE KEY-----\nMIIsecret\n", "no END line"),
            (
                "-----BEGIN PRIVATE KEY-----\n!!secret!!\n-----END PRIVATE KEY-----\n",
                "not valid base64",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
                "not a usable RSA key",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nc2VjcmV0\n-----END CERTIFICATE-----\n",
                "not an RSA private key",
            ),
        ];
        for (pem, expected) in cases {
            let Err(message) = SigningKey::from_pem(pem) else {
                panic!("{pem} was read");
            };
            assert!(message.contains(expected), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
    }
}
