//! Emitting a method's parsed path templates and pattern checks as the runtime's `MethodPaths`.

use super::text::{self, Expr};
use crate::ir::{Location, MethodDef, PathTemplate, PatternMatcher, PatternPiece, TemplatePiece};

/// What an accessor writes for its method's paths: the `use` of the runtime's items, the
/// `static`s (a lazily compiled regex per pattern that needs the regex engine, then the
/// `MethodPaths`), and the expression that starts the call from `METHOD`.
pub(super) struct PathCode {
    /// The contract items the code names, `MethodInfo` among them; sorted.
    used: Vec<&'static str>,
    /// The names of the regexes to declare.
    regexes: Vec<String>,
    /// The fields of `PATHS` that differ from `MethodPaths::BASE`; none when the method has
    /// nothing to parse, and then no `PATHS` at all.
    fields: Vec<(&'static str, Expr)>,
}

impl PathCode {
    /// The paths of `method`: its template, its upload template, and its path parameters'
    /// patterns. Only what differs from `MethodPaths::BASE` is written; a template without
    /// parameters is its text alone, which the runtime sends as it is.
    pub(super) fn new(method: &MethodDef) -> Self {
        let mut used = vec!["MethodInfo"];
        let mut fields = Vec::new();
        if let Some(pieces) = template_pieces(&method.path) {
            fields.push(("template", pieces));
        }
        if let Some(pieces) = method
            .upload
            .as_ref()
            .and_then(|upload| template_pieces(&upload.path))
        {
            fields.push(("upload_template", pieces));
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
            let (wire, text) = (
                Expr::Atom(text::literal(&param.wire_name)),
                Expr::Atom(text::literal(&pattern.text)),
            );
            checks.push(match &pattern.matcher {
                PatternMatcher::Segments(pieces) => {
                    if !pieces.is_empty() {
                        used.push("PatternPiece");
                    }
                    let pieces = pieces
                        .iter()
                        .map(|piece| {
                            Expr::Atom(match piece {
                                PatternPiece::Text(text) => {
                                    format!("PatternPiece::Text({})", text::literal(text))
                                }
                                PatternPiece::Segment => "PatternPiece::Segment".to_owned(),
                                PatternPiece::Rest => "PatternPiece::Rest".to_owned(),
                            })
                        })
                        .collect();
                    let args = vec![wire, text, Expr::Slice(pieces)];
                    Expr::Call("PathCheck::segments".to_owned(), args)
                }
                PatternMatcher::Regex { static_name } => {
                    regexes.push(static_name.clone());
                    used.push("LazyRegex");
                    let regex = Expr::Atom(format!("&{static_name}"));
                    Expr::Call("PathCheck::regex".to_owned(), vec![wire, text, regex])
                }
            });
        }
        if !checks.is_empty() {
            used.push("PathCheck");
            fields.push(("checks", Expr::Slice(checks)));
        }
        if !fields.is_empty() {
            used.push("MethodPaths");
        }
        used.sort_unstable();
        used.dedup();
        PathCode {
            used,
            regexes,
            fields,
        }
    }

    /// Writes the `use` of the contract items the accessor names, at `indent`.
    pub(super) fn write_use(&self, out: &mut String, indent: usize) {
        if let [only] = self.used.as_slice() {
            return text::line(
                out,
                indent,
                &format!("use crate::runtime::contract::{only};"),
            );
        }
        let names = self.used.join(", ");
        let whole = format!("use crate::runtime::contract::{{{names}}};");
        if text::fits_at(indent, &whole) {
            return text::line(out, indent, &whole);
        }
        text::line(out, indent, "use crate::runtime::contract::{");
        text::line(out, indent + 1, &format!("{names},"));
        text::line(out, indent, "};");
    }

    /// Writes the regexes and the `PATHS` static, if any, at `indent`.
    pub(super) fn write_statics(&self, out: &mut String, indent: usize) {
        for regex in &self.regexes {
            text::line(
                out,
                indent,
                &format!("static {regex}: LazyRegex = LazyRegex::new();"),
            );
        }
        if self.fields.is_empty() {
            return;
        }
        text::line(out, indent, "static PATHS: MethodPaths = MethodPaths {");
        for (name, value) in &self.fields {
            text::expr(out, indent + 1, &format!("{name}: "), value, ",", true);
        }
        text::line(out, indent + 1, "..MethodPaths::BASE");
        text::line(out, indent, "};");
    }

    /// `Call::with_paths(&METHOD, &PATHS)`, or `Call::new(&METHOD)` when there is no `PATHS`.
    pub(super) fn new_call(&self) -> &'static str {
        if self.fields.is_empty() {
            "crate::runtime::contract::Call::new(&METHOD)"
        } else {
            "crate::runtime::contract::Call::with_paths(&METHOD, &PATHS)"
        }
    }
}

/// The pieces of a template that has parameters, as a slice; `None` for text alone.
fn template_pieces(template: &PathTemplate) -> Option<Expr> {
    let has_params = template
        .pieces
        .iter()
        .any(|piece| !matches!(piece, TemplatePiece::Text(_)));
    has_params.then(|| {
        Expr::Slice(
            template
                .pieces
                .iter()
                .map(|piece| {
                    Expr::Atom(match piece {
                        TemplatePiece::Text(text) => {
                            format!("PathPiece::Text({})", text::literal(text))
                        }
                        TemplatePiece::Simple(name) => {
                            format!("PathPiece::Simple({})", text::literal(name))
                        }
                        TemplatePiece::Reserved(name) => {
                            format!("PathPiece::Reserved({})", text::literal(name))
                        }
                    })
                })
                .collect(),
        )
    })
}
