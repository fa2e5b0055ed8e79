//! The wire rules the lowering reads from Discovery documents, checked against the vendored
//! corpus: `apiVersion` for `X-Goog-Api-Version`, and which `requestId` parameters are
//! idempotency keys the client may fill (see `codegen::lower`'s idempotency rule).

use std::path::Path;

use codegen::ir::{Api, MethodDef, ResourceDef};

fn lower(file: &str) -> Api {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../discovery/documents/corpus")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let document = discovery::parse(&text).unwrap();
    codegen::lower::lower(&document, &codegen::Options::default()).unwrap()
}

fn every_method(api: &Api) -> Vec<&MethodDef> {
    fn walk<'a>(resources: &'a [ResourceDef], out: &mut Vec<&'a MethodDef>) {
        for resource in resources {
            out.extend(&resource.methods);
            walk(&resource.children, out);
        }
    }
    let mut methods: Vec<&MethodDef> = api.root_methods.iter().collect();
    walk(&api.resources, &mut methods);
    methods
}

#[test]
fn compute_names_its_api_version_on_every_method_and_492_request_ids() {
    let api = lower("compute.v1.json");
    let methods = every_method(&api);
    assert_eq!(methods.len(), 1025);
    // One version for the whole API, a date.
    let versions: std::collections::BTreeSet<Option<&str>> = methods
        .iter()
        .map(|method| method.api_version.as_deref())
        .collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    let version = versions
        .first()
        .unwrap()
        .expect("every method names a version");
    assert!(version.len() == 10 && version.chars().all(|c| c.is_ascii_digit() || c == '-'));
    let keyed: Vec<&&MethodDef> = methods
        .iter()
        .filter(|method| method.idempotency_key.is_some())
        .collect();
    assert_eq!(keyed.len(), 492);
    assert!(
        keyed
            .iter()
            .any(|method| method.id == "compute.instances.insert")
    );
    assert!(keyed.iter().all(|method| method.http_method != "GET"));
}

#[test]
fn a_required_request_id_is_the_callers_and_other_apis_send_no_version() {
    // drive.v3's `requestId` (drives.create) is required: the caller chooses it.
    for file in ["drive.v3.json", "pubsub.v1.json", "storage.v1.json"] {
        let api = lower(file);
        for method in every_method(&api) {
            assert_eq!(method.idempotency_key, None, "{}", method.id);
            assert_eq!(method.api_version, None, "{}", method.id);
        }
    }
}
