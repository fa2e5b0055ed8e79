//! Emitting a method's parsed path templates and pattern checks as the runtime's `MethodPaths`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::ir::{Location, MethodDef, PathTemplate, PatternMatcher, PatternPiece, TemplatePiece};

/// What an accessor writes for its method's paths: the `use` of the runtime's items, the
/// `static`s (a lazily compiled regex per pattern that needs the regex engine, then the
/// `MethodPaths`), and the expression that starts the call from `METHOD`.
pub(super) struct PathTokens {
    /// The `use` of the contract items the statics name (`MethodInfo` among them).
    pub imports: TokenStream,
    /// The regexes and the `PATHS` static, or nothing when the method has nothing to parse.
    pub statics: TokenStream,
    /// `Call::with_paths(&METHOD, &PATHS)`, or `Call::new(&METHOD)`.
    pub new_call: TokenStream,
}

/// The paths of `method`: its template, its upload template, and its path parameters'
/// patterns. Only what differs from `MethodPaths::BASE` is written; a template without
/// parameters is its text alone, which the runtime sends as it is.
pub(super) fn path_tokens(method: &MethodDef) -> PathTokens {
    let mut used: Vec<&str> = vec!["MethodInfo"];
    let mut fields = Vec::new();
    if let Some(pieces) = template_pieces(&method.path) {
        fields.push(quote!(template: &[#(#pieces),*],));
    }
    if let Some(pieces) = method
        .upload
        .as_ref()
        .and_then(|upload| template_pieces(&upload.path))
    {
        fields.push(quote!(upload_template: &[#(#pieces),*],));
    }
    if !fields.is_empty() {
        used.push("PathPiece");
    }
    let mut regexes = Vec::new();
    let mut checks = Vec::new();
    let params = method.positional.iter().chain(&method.optional);
    for param in params.filter(|param| param.location == Location::Path) {
        let Some(pattern) = &param.pattern else {
            continue;
        };
        let (wire, text) = (&param.wire_name, &pattern.text);
        checks.push(match &pattern.matcher {
            PatternMatcher::Segments(pieces) => {
                if !pieces.is_empty() {
                    used.push("PatternPiece");
                }
                let pieces = pieces.iter().map(|piece| match piece {
                    PatternPiece::Text(text) => quote!(PatternPiece::Text(#text)),
                    PatternPiece::Segment => quote!(PatternPiece::Segment),
                    PatternPiece::Rest => quote!(PatternPiece::Rest),
                });
                quote!(PathCheck::segments(#wire, #text, &[#(#pieces),*]))
            }
            PatternMatcher::Regex { static_name } => {
                let regex = ident(static_name);
                regexes.push(quote!(static #regex: LazyRegex = LazyRegex::new();));
                used.push("LazyRegex");
                quote!(PathCheck::regex(#wire, #text, &#regex))
            }
        });
    }
    if !checks.is_empty() {
        used.push("PathCheck");
        fields.push(quote!(checks: &[#(#checks),*],));
    }
    if fields.is_empty() {
        return PathTokens {
            imports: quote!(
                use crate::runtime::contract::MethodInfo;
            ),
            statics: quote!(),
            new_call: quote!(crate::runtime::contract::Call::new(&METHOD)),
        };
    }
    used.push("MethodPaths");
    used.sort_unstable();
    used.dedup();
    let used = used.iter().map(|name| format_ident!("{name}"));
    PathTokens {
        imports: quote!(use crate::runtime::contract::{#(#used),*};),
        statics: quote! {
            #(#regexes)*
            static PATHS: MethodPaths = MethodPaths {
                #(#fields)*
                ..MethodPaths::BASE
            };
        },
        new_call: quote!(crate::runtime::contract::Call::with_paths(&METHOD, &PATHS)),
    }
}

/// The pieces of a template that has parameters; `None` for text alone.
fn template_pieces(template: &PathTemplate) -> Option<Vec<TokenStream>> {
    let has_params = template
        .pieces
        .iter()
        .any(|piece| !matches!(piece, TemplatePiece::Text(_)));
    has_params.then(|| {
        template
            .pieces
            .iter()
            .map(|piece| match piece {
                TemplatePiece::Text(text) => quote!(PathPiece::Text(#text)),
                TemplatePiece::Simple(name) => quote!(PathPiece::Simple(#name)),
                TemplatePiece::Reserved(name) => quote!(PathPiece::Reserved(#name)),
            })
            .collect()
    })
}
