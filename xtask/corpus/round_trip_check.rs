//! A round trip of generated model types through the runtime's JSON reader and writer, as the
//! request path reads and writes them. `cargo xtask corpus` writes the checks below, one per
//! model type of the corpus and fixture crates, with a sample made from the type's fields.

use google_api_runtime::contract::json;

/// Reads `sample` as `T`, writes it, reads that again: the readings must be equal and the
/// writing must say what the sample said. Returns the number of failures (0 or 1).
fn check<T>(name: &str, sample: &str) -> usize
where
    T: json::FromJson + json::ToJson + PartialEq + std::fmt::Debug,
{
    let failure = |what: String| {
        eprintln!("{name}: {what}\n  sample: {sample}");
        1
    };
    let first: T = match json::from_str(sample) {
        Ok(value) => value,
        Err(error) => return failure(format!("the sample did not read: {error}")),
    };
    let written = json::to_vec(&first);
    let second: T = match json::from_slice(&written) {
        Ok(value) => value,
        Err(error) => return failure(format!("what was written did not read: {error}")),
    };
    if first != second {
        return failure(format!("read back differently: {first:?} then {second:?}"));
    }
    let said: serde_json::Value = serde_json::from_str(sample).expect("samples are JSON");
    let wrote: serde_json::Value = serde_json::from_slice(&written).expect("the writer writes JSON");
    if said != wrote {
        return failure(format!("wrote {wrote}"));
    }
    0
}
