//! How deeply the model's types nest inside one another, and the recursion limit the crate
//! then needs. The compiler's drop check walks into every field's type (through `Option`,
//! `Vec`, `BTreeMap` and `Box` alike), and at its default limit a chain of about sixty structs,
//! each holding the next, fails to compile (E0320), as do lists or maps nested as deeply
//! inside one field. Boxing does not shorten that walk; a higher `recursion_limit` on the crate
//! does. Every level counts: a struct, and each list or map around a field's type.

use crate::ir::{TypeDef, TypeId, TypeRef};

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
    // Each type's edges (the type held, and how many levels down: one, and one more for each
    // list or map around it), and the depth of its deepest field that holds no model type.
    let mut own_depth = vec![0usize; types.len()];
    let edges: Vec<Vec<(usize, usize)>> = types
        .iter()
        .enumerate()
        .map(|(position, ty)| {
            let mut held = Vec::new();
            let mut deepest_scalar = 0;
            let mut walk = |field: &'_ TypeRef| {
                let (held_type, wrappers) = innermost(field);
                match held_type {
                    Some(id) => held.push((id.index(), wrappers + 1)),
                    None => deepest_scalar = deepest_scalar.max(wrappers),
                }
            };
            match ty {
                TypeDef::Struct(def) => {
                    for field in &def.fields {
                        walk(&field.ty);
                    }
                    if let Some(value) = &def.rest.value {
                        walk(value);
                    }
                }
                TypeDef::Newtype(def) => walk(&def.ty),
                TypeDef::Enum(_) => {}
            }
            own_depth[position] = deepest_scalar + 1;
            held
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
            if let Some(&(child, _)) = edges[node].get(*next) {
                *next += 1;
                if visit[child] == Visit::New {
                    visit[child] = Visit::Open;
                    stack.push((child, 0));
                }
            } else {
                // A child still on the stack is a cycle back to it: the compiler walks the
                // levels on the way there once (a struct holding itself through a hundred maps
                // is that deep), and no further.
                let deepest = edges[node]
                    .iter()
                    .map(|(child, levels)| match visit[*child] {
                        Visit::Done => depth[*child] + levels,
                        _ => *levels,
                    })
                    .max()
                    .unwrap_or(0);
                depth[node] = deepest.max(own_depth[node]);
                visit[node] = Visit::Done;
                stack.pop();
            }
        }
    }
    depth.into_iter().max().unwrap_or(0)
}

/// The model type at the heart of `ty`, if any, and how many levels the lists and maps around
/// it add: one a list, three a map (a `BTreeMap`'s nodes make the compiler's walks through it
/// about three times as long as through a `Vec`: rustdoc's auto-trait checks of 64 nested maps
/// need a limit of 1024). Iterative: a type is as deep as a document makes it.
fn innermost(ty: &TypeRef) -> (Option<TypeId>, usize) {
    let mut levels = 0;
    let mut ty = ty;
    loop {
        match ty {
            TypeRef::Named(id) => return (Some(*id), levels),
            TypeRef::List(inner) => {
                levels += 1;
                ty = inner;
            }
            TypeRef::Map(inner) => {
                levels += 3;
                ty = inner;
            }
            TypeRef::Scalar(_) => return (None, levels),
        }
    }
}

/// How many lists and maps are around the heart of `ty`.
pub(crate) fn wrappers(ty: &TypeRef) -> usize {
    let mut count = 0;
    let mut ty = ty;
    while let TypeRef::List(inner) | TypeRef::Map(inner) = ty {
        count += 1;
        ty = inner;
    }
    count
}
