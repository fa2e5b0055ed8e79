//! Finding list methods and their pages: a method is paged when it takes a `pageToken` query
//! parameter and answers with a struct that has a `nextPageToken` string. The struct's items
//! are its one list field besides the token; with several list fields, the one named `items`;
//! otherwise (several lists, or only maps, as some aggregated lists have) the pages have no
//! items to iterate over, and only whole pages are. A list of strings named `unreachable` or
//! `unreachables` is never the items: it is AIP-217's list of locations the server could not
//! reach, which 849 list responses of Google's published documents carry beside their items
//! (`instances` and `unreachable`) and 208 carry alone (compute's aggregated lists, whose items
//! are a map).

use std::collections::BTreeSet;

use crate::ir::{
    FieldDef, Location, MethodDef, PageDef, Paging, ParamDef, ResourceDef, Scalar, StructDef,
    TypeDef, TypeRef, each_method_mut,
};

/// The query parameter that asks for a page, and the response field that names the next.
const PAGE_TOKEN: &str = "pageToken";
const NEXT_PAGE_TOKEN: &str = "nextPageToken";

/// Marks every paged method and the struct it answers with.
pub(crate) fn annotate(
    types: &mut [TypeDef],
    root_methods: &mut [MethodDef],
    resources: &mut [ResourceDef],
) {
    let pages: Vec<Option<PageDef>> = types
        .iter()
        .map(|ty| match ty {
            TypeDef::Struct(def) => page_of(def),
            _ => None,
        })
        .collect();
    let mut used = BTreeSet::new();
    let mark = |method: &mut MethodDef| {
        let takes_token = method
            .positional
            .iter()
            .chain(&method.optional)
            .any(is_page_token);
        if let (true, Some(TypeRef::Named(id))) = (takes_token, &method.response)
            && let Some(page) = &pages[id.index()]
        {
            method.paging = match page.items {
                Some(_) => Paging::Items,
                None => Paging::Pages,
            };
            used.insert(id.index());
        }
    };
    each_method_mut(root_methods, resources, mark);
    for (index, (ty, page)) in types.iter_mut().zip(pages).enumerate() {
        if let TypeDef::Struct(def) = ty
            && used.contains(&index)
        {
            def.page = page;
        }
    }
}

fn is_page_token(param: &ParamDef) -> bool {
    param.wire_name == PAGE_TOKEN
        && param.location == Location::Query
        && !param.repeated
        && param.ty == TypeRef::Scalar(Scalar::String)
}

/// Whether `field` is AIP-217's `unreachable` (or `unreachables`): the locations a list could
/// not reach, as strings.
fn is_unreachable_list(field: &FieldDef) -> bool {
    matches!(field.wire_name.as_str(), "unreachable" | "unreachables")
        && field.ty == TypeRef::List(Box::new(TypeRef::Scalar(Scalar::String)))
}

/// How `def` would be a page: its `nextPageToken` string, and its items by the rule above.
fn page_of(def: &StructDef) -> Option<PageDef> {
    let token = def.fields.iter().find(|field| {
        field.wire_name == NEXT_PAGE_TOKEN
            && field.ty == TypeRef::Scalar(Scalar::String)
            && !field.boxed
    })?;
    let lists: Vec<_> = def
        .fields
        .iter()
        .filter(|field| !field.boxed && matches!(field.ty, TypeRef::List(_)))
        .filter(|field| !is_unreachable_list(field))
        .collect();
    let items = match lists.as_slice() {
        [only] => Some(*only),
        several => several
            .iter()
            .copied()
            .find(|field| field.wire_name == "items"),
    };
    Some(PageDef {
        token_field: token.name.clone(),
        items: items.and_then(|field| match &field.ty {
            TypeRef::List(item) => Some((field.name.clone(), (**item).clone())),
            _ => None,
        }),
    })
}
