//! Google's descriptions as rustdoc, on real documents: Markdown links stay links (their text
//! wrapped over lines too), site-relative ones become absolute, lists and fenced code keep their
//! shape, and mentions of the API's own types become links to them.

use std::path::Path;

/// Every generated file of a vendored corpus document, joined.
fn generated(document: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../discovery/documents/corpus")
        .join(document);
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    codegen::generate(&document, &codegen::Options::default())
        .unwrap()
        .into_iter()
        .map(|file| file.contents)
        .collect()
}

#[test]
fn links_in_real_descriptions_render() {
    let drive = generated("drive.v3.json");
    assert!(drive.contains(
        "[Roles and permissions](https://developers.google.com/workspace/drive/api/guides/ref-roles)"
    ));
    assert!(!drive.contains("\\[Roles and permissions\\]"));
    let calendar = generated("calendar.v3.json");
    assert!(
        calendar.contains(
            "    /// Free text search terms to find events that match these terms in the following fields:\n    ///\n    /// - summary\n    /// - description\n"
        ),
        "a list stays a list"
    );
    let directory = generated("admin.directory_v1.json");
    assert!(
        directory.contains(
            "[Language Codes](https://developers.google.com/admin-sdk/directory/v1/languages)"
        ),
        "a site-relative link is made absolute against the documentation link's origin"
    );
    let compute = generated("compute.v1.json");
    assert!(
        compute.contains(
            "/// * [Global (external and internal)](https://cloud.google.com/compute/docs/reference/rest/v1/globalAddresses)"
        ),
        "a link whose text wraps onto the next line stays one link"
    );
    assert!(!compute.contains("\\[Global (external and"));
    assert!(compute.contains("[`BackendService`](crate::model::BackendService)"));
    assert!(
        compute.contains(
            "[Zonal](https://cloud.google.com/compute/docs/reference/rest/v1/autoscalers)"
        )
    );
}

/// Every crate page's first call is a list with items that takes as few arguments as any:
/// the reader has the least to fill in.
#[test]
fn the_first_call_takes_the_fewest_arguments() {
    let drive = generated("drive.v3.json");
    assert!(drive.contains("//! for item in api.drives().list().items().take(10) {"));
    let gmail = generated("gmail.v1.json");
    assert!(
        gmail.contains("//! for item in api.users().drafts().list(\"USER_ID\").items().take(10) {")
    );
}
