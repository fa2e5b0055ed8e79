//! How deeply the model's types nest inside one another, and the recursion limit the crate
//! then needs. The compiler's drop check walks into every field's type (through `Option`,
//! `Vec` and `Box` alike), and at its default limit a chain of about sixty structs, each
//! holding the next, fails to compile (E0320). Boxing does not shorten that walk; a higher
//! `recursion_limit` on the crate does.

use std::collections::BTreeMap;

use crate::ir::{TypeDef, TypeRef};

/// Nesting the compiler's default limit (128) is known to take with room to spare.
const DEFAULT_LIMIT_TAKES: usize = 40;

/// The `recursion_limit` the crate needs for `types`, when the default is not enough.
pub(crate) fn recursion_limit(types: &[TypeDef]) -> Option<u32> {
    let depth = nesting_depth(types);
    (depth > DEFAULT_LIMIT_TAKES).then(|| {
        let wanted = u32::try_from(depth.saturating_mul(4)).unwrap_or(u32::MAX / 2);
        wanted.next_power_of_two().max(256)
    })
}

/// The longest chain of types each holding the next (cycles, which are boxed, counted once).
/// Iterative, so that a document with thousands of chained schemas cannot overflow the stack.
pub(crate) fn nesting_depth(types: &[TypeDef]) -> usize {
    let index: BTreeMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(position, ty)| (ty.name(), position))
        .collect();
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|ty| {
            let mut names = Vec::new();
            match ty {
                TypeDef::Struct(def) => {
                    for field in &def.fields {
                        named_in(&field.ty, &mut names);
                    }
                    if let Some(value) = &def.rest.value {
                        named_in(value, &mut names);
                    }
                }
                TypeDef::Newtype(def) => named_in(&def.ty, &mut names),
                TypeDef::Enum(_) => {}
            }
            names
                .iter()
                .filter_map(|name| index.get(name).copied())
                .collect()
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Visit {
        New,
        Open,
        Done,
    }
    let mut visit = vec![Visit::New; types.len()];
    let mut depth = vec![0usize; types.len()];
    for start in 0..types.len() {
        if visit[start] != Visit::New {
            continue;
        }
        // (node, how many of its edges have been followed)
        let mut stack = vec![(start, 0usize)];
        visit[start] = Visit::Open;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some(&child) = edges[node].get(*next) {
                *next += 1;
                if visit[child] == Visit::New {
                    visit[child] = Visit::Open;
                    stack.push((child, 0));
                }
            } else {
                // Children on the stack are a cycle back to here: they add nothing.
                let deepest = edges[node]
                    .iter()
                    .filter(|child| visit[**child] == Visit::Done)
                    .map(|child| depth[*child])
                    .max()
                    .unwrap_or(0);
                depth[node] = deepest + 1;
                visit[node] = Visit::Done;
                stack.pop();
            }
        }
    }
    depth.into_iter().max().unwrap_or(0)
}

/// The model types `ty` mentions.
fn named_in<'t>(ty: &'t TypeRef, out: &mut Vec<&'t str>) {
    match ty {
        TypeRef::Named(name) => out.push(name),
        TypeRef::List(inner) | TypeRef::Map(inner) => named_in(inner, out),
        TypeRef::Scalar(_) => {}
    }
}
