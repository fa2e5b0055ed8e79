//! Finding bodies that are Google's `HttpBody` (`google.api.HttpBody`: `contentType`, `data`,
//! `extensions`), which travel as raw bytes of their content type rather than as JSON, as
//! Google's own generators send and read them. A schema is one when its name ends in `HttpBody`
//! (`HttpBody`, `GoogleApiHttpBody`, ...) and it has a `contentType` string and `data` bytes.

use crate::ir::{
    MethodDef, RawBodyDef, ResourceDef, Scalar, StructDef, TypeDef, TypeRef, each_method_mut,
};

/// Marks the request and response of every method whose body is an `HttpBody`.
pub(crate) fn annotate(
    types: &[TypeDef],
    root_methods: &mut [MethodDef],
    resources: &mut [ResourceDef],
) {
    let raw: Vec<Option<RawBodyDef>> = types
        .iter()
        .map(|ty| match ty {
            TypeDef::Struct(def) => raw_body(def),
            _ => None,
        })
        .collect();
    if raw.iter().all(Option::is_none) {
        return;
    }
    let lookup = |ty: Option<&TypeRef>| match ty {
        Some(TypeRef::Named(id)) => raw[id.index()].clone(),
        _ => None,
    };
    each_method_mut(root_methods, resources, |method| {
        method.raw_request = lookup(method.request.as_ref().map(|(_, ty)| ty));
        method.raw_response = lookup(method.response.as_ref());
    });
}

/// The raw-body fields of `def`, when it is an `HttpBody`.
fn raw_body(def: &StructDef) -> Option<RawBodyDef> {
    if !def.origin.ends_with("HttpBody") {
        return None;
    }
    let field = |wire: &str, scalar: Scalar| {
        def.fields
            .iter()
            .find(|field| field.wire_name == wire && field.ty == TypeRef::Scalar(scalar))
            .filter(|field| !field.boxed)
            .map(|field| field.name.clone())
    };
    Some(RawBodyDef {
        content_type_field: field("contentType", Scalar::String)?,
        data_field: field("data", Scalar::Bytes)?,
    })
}
