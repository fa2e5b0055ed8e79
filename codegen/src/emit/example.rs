//! A crate's first example call, made from its own methods: the crate page and the README show
//! it, so every crate's first example does something with the API rather than stop at a client.

use crate::ir::{Api, MethodDef, Paging, Scalar, TypeRef, methods_at};

/// A call that reads: a GET whose required arguments are all strings and that takes no body.
/// Its accessor chain from the hub, and the method.
struct Found<'a> {
    chain: Vec<&'a str>,
    method: &'a MethodDef,
}

/// The lines of a first call on a hub named `api` in a function returning a `Result` with `?`:
/// the `list` with items that takes the fewest arguments (the first of those in document order:
/// the hub's own methods, then each resource and those below it), so the reader has the least
/// to fill in, else the first other method with items, else the first simple GET; `None` when
/// the API has none.
pub fn first_call(api: &Api) -> Option<Vec<String>> {
    let simple: Vec<Found<'_>> = methods_at(&api.root_methods, &api.resources)
        .into_iter()
        .filter(|at| {
            is_simple_get(at.method) && !at.resources.iter().any(|resource| resource.deprecated)
        })
        .map(|at| Found {
            chain: at
                .resources
                .iter()
                .map(|resource| resource.accessor.as_str())
                .collect(),
            method: at.method,
        })
        .collect();
    // A plain `list` first: an aggregated list's "items" may be another of its lists.
    let paged = |found: &&Found<'_>| found.method.paging == Paging::Items;
    let found = simple
        .iter()
        .filter(paged)
        .filter(|found| found.method.accessor == "list")
        .min_by_key(|found| found.method.positional.len())
        .or_else(|| simple.iter().find(paged))
        .or_else(|| simple.first())?;
    let arguments: Vec<String> = found
        .method
        .positional
        .iter()
        .map(|param| format!("{:?}", placeholder(&param.wire_name)))
        .collect();
    let mut call = String::from("api");
    for accessor in &found.chain {
        call.push_str(&format!(".{accessor}()"));
    }
    call.push_str(&format!(
        ".{}({})",
        found.method.accessor,
        arguments.join(", ")
    ));
    Some(if found.method.paging == Paging::Items {
        vec![
            format!("// {}: {}", found.method.id, found.method.http_method),
            format!("for item in {call}.items().take(10) {{"),
            "    println!(\"{:?}\", item?);".to_owned(),
            "}".to_owned(),
        ]
    } else if found.method.response.is_some() {
        vec![
            format!("// {}: {}", found.method.id, found.method.http_method),
            format!("let response = {call}.send()?;"),
            "println!(\"{response:?}\");".to_owned(),
        ]
    } else {
        vec![
            format!("// {}: {}", found.method.id, found.method.http_method),
            format!("{call}.send()?;"),
        ]
    })
}

fn is_simple_get(method: &MethodDef) -> bool {
    method.http_method == "GET"
        && method.request.is_none()
        && method.upload.is_none()
        && !method.deprecated
        && method
            .positional
            .iter()
            .all(|param| !param.repeated && matches!(param.ty, TypeRef::Scalar(Scalar::String)))
}

/// A stand-in value for parameter `wire_name`: its name in capitals (`projectId` is
/// `PROJECT_ID`), which the reader replaces.
fn placeholder(wire_name: &str) -> String {
    let mut out = String::new();
    for (index, c) in wire_name.chars().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            out.push('_');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push('_');
        }
    }
    out
}
