//! Export archives: deterministic ZIP files with one JSON file per resource, and the signed,
//! expiring URLs they are downloaded from.

use std::io::Write as _;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a signed URL stays valid, in emulator time.
pub const URL_LIFETIME_SECONDS: u64 = 6 * 3600;

/// The ZIP of one resource of one job: `{resource}.json` holding the job's data, about
/// `size` bytes of it, made the same way from the same seed every time.
pub fn build_zip(
    job_id: &str,
    resource: &str,
    export_time: &str,
    seed: u64,
    size: usize,
) -> Vec<u8> {
    let mut items = Vec::new();
    let mut state = seed ^ fnv(job_id) ^ fnv(resource).rotate_left(17);
    let mut length = 0;
    let mut index = 0;
    while length < size {
        state = xorshift(state);
        let item = format!(
            "{{\"id\":{index},\"title\":\"{resource} item {index}\",\"value\":\"{state:016x}\"}}"
        );
        length += item.len() + 1;
        items.push(item);
        index += 1;
    }
    let json = format!(
        "{{\"resource\":\"{resource}\",\"archiveJobId\":\"{job_id}\",\"exportTime\":\"{export_time}\",\"items\":[{}]}}\n",
        items.join(",")
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed timestamp and stored entries: the same job gives the same bytes.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    zip.start_file(format!("{resource}.json"), options)
        .expect("writing to memory");
    zip.write_all(json.as_bytes()).expect("writing to memory");
    zip.finish().expect("writing to memory").into_inner()
}

/// The signature of a download path valid until `expires` (Unix seconds).
pub fn sign(key: &[u8], path: &str, expires: u64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{path}\n{expires}").as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Whether `signature` is the right one, compared in constant time.
pub fn verify(key: &[u8], path: &str, expires: u64, signature: &str) -> bool {
    let Some(bytes) = unhex(signature) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{path}\n{expires}").as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A step of xorshift64: the emulator's deterministic randomness.
pub fn xorshift(mut x: u64) -> u64 {
    if x == 0 {
        x = 0x9E37_79B9_7F4A_7C15;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// FNV-1a, to fold strings into seeds.
pub fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_deterministic_valid_zips() {
        let a = build_zip("j1", "myactivity.search", "2026-01-01T00:00:00Z", 7, 2000);
        assert_eq!(
            a,
            build_zip("j1", "myactivity.search", "2026-01-01T00:00:00Z", 7, 2000)
        );
        assert_ne!(
            a,
            build_zip("j2", "myactivity.search", "2026-01-01T00:00:00Z", 7, 2000)
        );
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        let mut file = archive.by_name("myactivity.search.json").unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["archiveJobId"], "j1");
        assert!(text.len() >= 2000);
    }

    #[test]
    fn signatures() {
        let key = b"key";
        let signature = sign(key, "/download/j/r.zip", 100);
        assert!(verify(key, "/download/j/r.zip", 100, &signature));
        assert!(!verify(key, "/download/j/r.zip", 101, &signature));
        assert!(!verify(key, "/download/j/other.zip", 100, &signature));
        assert!(!verify(key, "/download/j/r.zip", 100, "zz"));
    }
}
