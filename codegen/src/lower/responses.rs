//! The types methods answer with, and how each is read: raw bytes for Google's `HttpBody`
//! (as `http_body` marked the methods), JSON for every other named type. Each such type gets
//! its reading compiled once in the generated crate.

use std::collections::BTreeMap;

use crate::ir::{Decoding, MethodDef, ResourceDef, TypeId, TypeRef, each_method};

/// Every named response type of the API's methods, with how it is read.
pub(crate) fn responses(
    root_methods: &[MethodDef],
    resources: &[ResourceDef],
) -> BTreeMap<TypeId, Decoding> {
    let mut responses = BTreeMap::new();
    for method in each_method(root_methods, resources) {
        if let Some(TypeRef::Named(id)) = &method.response {
            let decoding = match &method.raw_response {
                Some(raw) => Decoding::Raw(raw.clone()),
                None => Decoding::Json,
            };
            responses.insert(*id, decoding);
        }
    }
    responses
}
