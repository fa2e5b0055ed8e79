//! The generator's reading of path patterns against the regex engine: every pattern of the
//! vendored documents that the generator turns into pieces is matched by the runtime's pieces
//! exactly as the regex engine matches it.

use std::path::Path;

use codegen::ir::PatternPiece;
use google_dataportability_v1::runtime::contract::{self, PathCheck};

/// Every path parameter pattern of the vendored documents, each once.
fn vendored_patterns() -> Vec<String> {
    let documents = Path::new(env!("CARGO_MANIFEST_DIR")).join("../discovery/documents");
    let mut files: Vec<_> = std::fs::read_dir(documents.join("corpus"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.push(documents.join("dataportability.v1.json"));
    let mut patterns = Vec::new();
    for file in files
        .iter()
        .filter(|file| file.extension().is_some_and(|e| e == "json"))
    {
        let document = discovery::parse(&std::fs::read_to_string(file).unwrap()).unwrap();
        for entry in document.every_method() {
            for schema in entry.method.parameters.values() {
                if schema.location.as_deref() == Some("path") {
                    patterns.extend(schema.pattern.clone());
                }
            }
        }
    }
    patterns.sort();
    patterns.dedup();
    patterns
}

/// The runtime's pieces for the generator's (leaked: the runtime's are `'static`).
fn runtime_pieces(pieces: &[PatternPiece]) -> &'static [contract::PatternPiece] {
    let pieces: Vec<contract::PatternPiece> = pieces
        .iter()
        .map(|piece| match piece {
            PatternPiece::Text(text) => {
                contract::PatternPiece::Text(Box::leak(text.clone().into_boxed_str()))
            }
            PatternPiece::Segment => contract::PatternPiece::Segment,
            PatternPiece::Rest => contract::PatternPiece::Rest,
        })
        .collect();
    Box::leak(pieces.into_boxed_slice())
}

/// Values near the ones a pattern takes: its own text with each segment and rest filled in
/// several ways (empty, with a slash, with a line feed, ...), and a few it never takes.
fn values_for(pieces: &[PatternPiece]) -> Vec<String> {
    let fillers = ["x", "", "a/b", "a\nb", "ü", "x/", "/", "a.b", "%2F"];
    let mut values = vec![
        String::new(),
        "x".to_owned(),
        "projects/p".to_owned(),
        "\n".to_owned(),
    ];
    for filler in fillers {
        let mut value = String::new();
        for piece in pieces {
            match piece {
                PatternPiece::Text(text) => value.push_str(text),
                PatternPiece::Segment | PatternPiece::Rest => value.push_str(filler),
            }
        }
        values.push(format!("{value}/extra"));
        values.push(format!("x{value}"));
        values.push(format!("{value}\n"));
        values.push(value);
    }
    values
}

#[test]
fn the_runtime_matches_the_pieces_as_the_regex_engine_matches_the_pattern() {
    let patterns = vendored_patterns();
    let mut as_pieces = 0;
    let mut checked = 0;
    for pattern in &patterns {
        let Some(pieces) = codegen::lower::pattern_segments(pattern) else {
            continue;
        };
        as_pieces += 1;
        let regex = regex_lite::Regex::new(pattern).unwrap();
        let text: &'static str = Box::leak(pattern.clone().into_boxed_str());
        let check = PathCheck::segments("name", text, runtime_pieces(&pieces));
        for value in values_for(&pieces) {
            assert_eq!(
                check.is_match(&value),
                Some(regex.is_match(&value)),
                "{pattern} on {value:?}"
            );
            checked += 1;
        }
    }
    // Most of the vendored patterns are read as pieces (the rest need the regex engine).
    assert!(
        as_pieces * 2 > patterns.len(),
        "{as_pieces} of {}",
        patterns.len()
    );
    assert!(checked > 1000, "{checked}");
}
