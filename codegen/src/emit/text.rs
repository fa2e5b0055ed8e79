//! Writing Rust as formatted text, for the items made by the thousand (a model type and its
//! impls, a resource, a request builder): laid out line by line as prettyplease lays out the
//! same tokens, so that skipping the parse and the formatter changes no byte. An item with a
//! line the writer cannot vouch for goes through the parser and the formatter after all
//! ([`settle`]).

use std::fmt::Write as _;

use proc_macro2::TokenStream;

use crate::Error;

/// The longest line prettyplease writes (in bytes, indentation included) unless a line cannot
/// be broken; it breaks a group that does not fit, and leaves whole one that does.
pub const MARGIN: usize = 89;

/// Whether every line of `text` is one prettyplease would leave as it is: a comment, a code
/// line that fits in [`MARGIN`] (its comma too, but where prettyplease surely lets it pass),
/// or one it has nowhere to break. A doc attribute not written as a comment (see
/// [`doc_comment`]) is left to the formatter.
pub fn fits(text: &str) -> bool {
    text.lines().all(|line| {
        let trimmed = line.trim_start();
        if trimmed.starts_with("///") || trimmed.starts_with("//!") {
            return true;
        }
        !trimmed.starts_with("#[doc")
            && (line.len() <= MARGIN || uncounted_comma(line) || unbreakable(trimmed))
    })
}

/// Whether `line` fits but for a comma prettyplease lets pass the margin, which it does after a
/// match arm and a parameter (an `impl Trait` one, which no field or bound can be).
fn uncounted_comma(line: &str) -> bool {
    line.strip_suffix(',')
        .is_some_and(|before| before.len() <= MARGIN)
        && (line.contains(" => ") || line.contains(": impl "))
}

/// Whether prettyplease has nowhere to break `line` (without its indentation), and so leaves
/// it long: a path or a string literal alone (an argument, a list element), a field of a plain
/// type or its value (a path or a literal), the first line of a struct, enum, module, impl or
/// struct value of a plain name (or an impl's `for` line), or `<T as Trait>::f`.
fn unbreakable(line: &str) -> bool {
    let is_path = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '#'))
    };
    let is_literal = |text: &str| {
        text.len() >= 2
            && text.starts_with('"')
            && text.ends_with('"')
            && !text[1..text.len() - 1].contains('"')
    };
    let body = line.strip_suffix([',', ';']).unwrap_or(line);
    if is_path(body) || is_literal(body) {
        return true;
    }
    if let Some(head) = line.strip_suffix(" {") {
        let words: Vec<&str> = head.split(' ').collect();
        return match words.as_slice() {
            ["pub", "struct" | "enum" | "mod", name] | ["impl" | "for", name] | [name] => {
                is_path(name)
            }
            _ => false,
        };
    }
    if let Some((name, value)) = body.strip_prefix("pub ").unwrap_or(body).split_once(": ") {
        return is_path(name) && (is_path(value) || is_literal(value));
    }
    let qualified = body
        .strip_prefix('<')
        .and_then(|rest| rest.split_once(" as "))
        .and_then(|(ty, rest)| Some((ty, rest.split_once(">::")?)));
    matches!(qualified, Some((ty, (r#trait, function)))
        if is_path(ty) && is_path(r#trait) && is_path(function))
}

/// `items`, written as text at `depth` modules deep, as prettyplease would lay them out there:
/// as they are when every line fits, else parsed and formatted inside as many modules.
pub fn settle(items: String, depth: usize) -> Result<String, Error> {
    if fits(&items) {
        return Ok(items);
    }
    let wrapped = format!(
        "{}{items}{}",
        "mod m {\n".repeat(depth),
        "}\n".repeat(depth)
    );
    let lexed = wrapped.parse::<TokenStream>().map_err(|error| Error {
        path: "$".to_owned(),
        message: format!("generated code does not lex ({error}); this is a generator bug"),
    })?;
    let formatted = prettyplease::unparse(&syn::parse2(lexed).map_err(|error| Error {
        path: "$".to_owned(),
        message: format!("generated code does not parse ({error}); this is a generator bug"),
    })?);
    // The items are inside the modules, indented as deep as they are in their file.
    let lines: Vec<&str> = formatted.lines().collect();
    let inner = &lines[depth..lines.len().saturating_sub(depth).max(depth)];
    let mut out = String::with_capacity(formatted.len());
    for line in inner {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// A type as text, laid out as prettyplease lays out a type: a path and its generic arguments.
#[derive(Clone)]
pub struct Ty {
    /// The path, such as `::std::option::Option`, or all of a type without arguments.
    pub head: String,
    /// The generic arguments, if any.
    pub args: Vec<Ty>,
}

impl Ty {
    /// A type without arguments.
    pub fn plain(head: impl Into<String>) -> Self {
        Ty {
            head: head.into(),
            args: Vec::new(),
        }
    }

    /// `head<args>`.
    pub fn of(head: impl Into<String>, args: Vec<Ty>) -> Self {
        Ty {
            head: head.into(),
            args,
        }
    }

    /// The type on one line.
    pub fn flat(&self) -> String {
        let mut out = String::new();
        self.write_flat(&mut out);
        out
    }

    fn write_flat(&self, out: &mut String) {
        out.push_str(&self.head);
        if let [first, rest @ ..] = self.args.as_slice() {
            out.push('<');
            first.write_flat(out);
            for arg in rest {
                out.push_str(", ");
                arg.write_flat(out);
            }
            out.push('>');
        }
    }
}

/// Writes `{prefix}{ty}{suffix}` at `indent`: on one line when it fits, else with the type's
/// arguments one a line, each laid out the same way. A comma that ends it may pass the margin,
/// as after an argument or a parameter; see [`typed_field`] for where it may not.
pub fn typed(out: &mut String, indent: usize, prefix: &str, ty: &Ty, suffix: &str) {
    let whole = format!("{prefix}{}{suffix}", ty.flat());
    if ty.args.is_empty() || fits_at(indent, &whole) {
        return line(out, indent, &whole);
    }
    broken(out, indent, prefix, ty, suffix);
}

/// [`typed`] for a struct's field or a `where` bound, whose comma counts against the margin.
pub fn typed_field(out: &mut String, indent: usize, prefix: &str, ty: &Ty) {
    let whole = format!("{prefix}{},", ty.flat());
    if ty.args.is_empty() || indent * 4 + whole.len() <= MARGIN {
        return line(out, indent, &whole);
    }
    broken(out, indent, prefix, ty, ",");
}

/// Writes `{prefix}{ty}{suffix}` with the type's arguments one a line.
fn broken(out: &mut String, indent: usize, prefix: &str, ty: &Ty, suffix: &str) {
    line(out, indent, &format!("{prefix}{}<", ty.head));
    for arg in &ty.args {
        typed(out, indent + 1, "", arg, ",");
    }
    line(out, indent, &format!(">{suffix}"));
}

/// `{receiver}.{method}({args}){end}` at `indent`, laid out as prettyplease lays out a call:
/// on one line; else the method on a line of its own below the receiver; else its arguments
/// one a line too. `end` is what follows the call on its line when all fits, and `end_alone`
/// what goes on a line of its own otherwise (a `match`'s brace does, even when the call fits
/// without it; a statement's `;` stays on the call's last line).
pub fn call(
    indent: usize,
    (receiver, method): (&str, &str),
    args: &[&str],
    (end, end_alone): (&str, &str),
) -> String {
    let mut out = String::new();
    let args_line = args.join(", ");
    let whole = format!("{receiver}.{method}({args_line})");
    let statement = end == end_alone;
    if fits_at(indent, &format!("{whole}{end}")) {
        line(&mut out, indent, &format!("{whole}{end}"));
        return out;
    }
    if !statement && fits_at(indent, &whole) {
        line(&mut out, indent, &whole);
        line(&mut out, indent, end_alone);
        return out;
    }
    let tail = if statement { end } else { "" };
    if receiver.len() <= 4 {
        // A receiver no wider than an indentation keeps its method on its line.
        line(&mut out, indent, &format!("{receiver}.{method}("));
        for arg in args {
            line(&mut out, indent + 1, &format!("{arg},"));
        }
        line(&mut out, indent, &format!("){tail}"));
        if !statement {
            line(&mut out, indent, end_alone);
        }
        return out;
    }
    line(&mut out, indent, receiver);
    let method_line = format!(".{method}({args_line})");
    if fits_at(indent + 1, &format!("{method_line}{tail}")) {
        line(&mut out, indent + 1, &format!("{method_line}{tail}"));
    } else {
        line(&mut out, indent + 1, &format!(".{method}("));
        for arg in args {
            line(&mut out, indent + 2, &format!("{arg},"));
        }
        line(&mut out, indent + 1, &format!("){tail}"));
    }
    if !statement {
        line(&mut out, indent, end_alone);
    }
    out
}

/// `{function}({args}){end}` at `indent`: on one line, else its arguments one a line.
pub fn call_fn(indent: usize, function: &str, args: &[&str], end: &str) -> String {
    let mut out = String::new();
    let whole = format!("{function}({}){end}", args.join(", "));
    if fits_at(indent, &whole) {
        line(&mut out, indent, &whole);
    } else {
        line(&mut out, indent, &format!("{function}("));
        for arg in args {
            line(&mut out, indent + 1, &format!("{arg},"));
        }
        line(&mut out, indent, &format!("){end}"));
    }
    out
}

/// Writes a function's signature and its opening brace at `indent`: `{head}({params}) ->
/// {ret} {` on one line, else the parameters one a line (each `(text, type)`, the type laid
/// out by [`typed`]) and the return type after them.
pub fn signature(
    out: &mut String,
    indent: usize,
    head: &str,
    params: &[(&str, Option<&Ty>)],
    ret: &Ty,
) {
    let flat: Vec<String> = params
        .iter()
        .map(|(text, ty)| format!("{text}{}", ty.map(Ty::flat).unwrap_or_default()))
        .collect();
    let whole = format!("{head}({}) -> {} {{", flat.join(", "), ret.flat());
    if fits_at(indent, &whole) {
        return line(out, indent, &whole);
    }
    line(out, indent, &format!("{head}("));
    for (text, ty) in params {
        match ty {
            Some(ty) => typed(out, indent + 1, text, ty, ","),
            None => line(out, indent + 1, &format!("{text},")),
        }
    }
    typed(out, indent, ") -> ", ret, " {");
}

/// Writes the match arm `{pattern} => {value},` at `indent`: on one line when it fits (its
/// comma may pass the margin), else its value in a block.
pub fn arm(out: &mut String, indent: usize, pattern: &str, value: &str) {
    let whole = format!("{pattern} => {value}");
    if fits_at(indent, &whole) {
        line(out, indent, &format!("{whole},"));
    } else {
        line(out, indent, &format!("{pattern} => {{"));
        line(out, indent + 1, value);
        line(out, indent, "}");
    }
}

/// An expression as text, laid out as prettyplease lays out calls and slices.
pub enum Expr {
    /// Text it does not break, such as a literal or a path.
    Atom(String),
    /// `function(args)`.
    Call(String, Vec<Expr>),
    /// `&[elements]`.
    Slice(Vec<Expr>),
}

impl Expr {
    /// The expression on one line.
    pub fn flat(&self) -> String {
        let joined = |items: &[Expr]| items.iter().map(Expr::flat).collect::<Vec<_>>().join(", ");
        match self {
            Expr::Atom(text) => text.clone(),
            Expr::Call(function, args) => format!("{function}({})", joined(args)),
            Expr::Slice(elements) => format!("&[{}]", joined(elements)),
        }
    }
}

/// Writes `{prefix}{expr}{suffix}` at `indent`: on one line when it fits, else a call's
/// arguments or a slice's elements one a line, each laid out the same way. The comma after an
/// argument or element may pass the margin; the one after a struct field (`field`) may not.
pub fn expr(out: &mut String, indent: usize, prefix: &str, expr: &Expr, suffix: &str, field: bool) {
    let whole = format!("{prefix}{}{suffix}", expr.flat());
    let fits = if field {
        indent * 4 + whole.len() <= MARGIN
    } else {
        fits_at(indent, &whole)
    };
    let (open, items, close) = match expr {
        Expr::Call(function, args) if !fits => (format!("{function}("), args, ")"),
        Expr::Slice(elements) if !fits && !elements.is_empty() => ("&[".to_owned(), elements, "]"),
        _ => return line(out, indent, &whole),
    };
    line(out, indent, &format!("{prefix}{open}"));
    for item in items {
        self::expr(out, indent + 1, "", item, ",", false);
    }
    line(out, indent, &format!("{close}{suffix}"));
}

/// Writes `{header} for {ty} {` at `indent`, an impl's first line; `for` starts a line of its
/// own when the whole does not fit on one.
pub fn impl_header(out: &mut String, indent: usize, header: &str, ty: &str) {
    impl_line(out, indent, header, &format!("{ty} {{"));
}

/// Writes `{header} for {rest}` at `indent`, the whole of an impl or its first line; `for`
/// starts a line of its own when the whole does not fit on one.
pub fn impl_line(out: &mut String, indent: usize, header: &str, rest: &str) {
    let whole = format!("{header} for {rest}");
    // The closing brace of an empty body may pass the margin.
    let counted = whole
        .strip_suffix('}')
        .filter(|open| open.ends_with('{'))
        .unwrap_or(&whole);
    if fits_at(indent, counted) {
        line(out, indent, &whole);
    } else {
        line(out, indent, header);
        line(out, indent, &format!("for {rest}"));
    }
}

/// `text` as a Rust string literal, escaped as `quote` escapes it.
pub fn literal(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

/// Whether `line` fits on one line at `indent` levels. A comma that ends it may pass the
/// margin, as prettyplease lets a list's trailing comma do.
pub fn fits_at(indent: usize, line: &str) -> bool {
    indent * 4 + line.strip_suffix(',').unwrap_or(line).len() <= MARGIN
}

/// The `#[cfg]` attribute of code that only some features need (`super::cfg_attr`), written
/// as prettyplease writes it at any indentation.
pub struct Cfg {
    /// `feature = "..."` for each feature.
    conditions: Vec<String>,
}

impl Cfg {
    /// The attribute for code that `features` need.
    pub fn new(features: &[String]) -> Self {
        Cfg {
            conditions: features
                .iter()
                .map(|feature| format!("feature = {}", literal(feature)))
                .collect(),
        }
    }

    /// Writes the attribute at `indent`: on one line, else with its `any(...)` on a line of
    /// its own, else one feature a line.
    pub fn write(&self, out: &mut String, indent: usize) {
        let [first, ..] = self.conditions.as_slice() else {
            return;
        };
        if self.conditions.len() == 1 {
            return line(out, indent, &format!("#[cfg({first})]"));
        }
        let any = format!("any({})", self.conditions.join(", "));
        let whole = format!("#[cfg({any})]");
        if fits_at(indent, &whole) {
            return line(out, indent, &whole);
        }
        line(out, indent, "#[cfg(");
        if fits_at(indent + 1, &any) {
            line(out, indent + 1, &any);
        } else {
            line(out, indent + 1, "any(");
            let last = self.conditions.len() - 1;
            for (index, condition) in self.conditions.iter().enumerate() {
                let comma = if index == last { "" } else { "," };
                line(out, indent + 2, &format!("{condition}{comma}"));
            }
            line(out, indent + 1, ")");
        }
        line(out, indent, ")]");
    }
}

/// Writes `line` at `indent` levels of four spaces, then a newline.
pub fn line(out: &mut String, indent: usize, line: &str) {
    for _ in 0..indent {
        out.push_str("    ");
    }
    out.push_str(line);
    out.push('\n');
}

/// Writes the doc comment of [`super::docs::doc_attrs`] for `text`, at `indent`.
pub fn docs(out: &mut String, indent: usize, text: &str) {
    for doc in super::docs::sanitize(text) {
        doc_comment(out, indent, &super::docs::doc_line(doc));
    }
}

/// Writes the doc comment of Markdown the generator wrote itself (links to items included), one
/// line a line, as it is: text from the document goes in only through [`super::docs::code`] or
/// [`super::docs::sanitize`].
pub fn own_docs(out: &mut String, indent: usize, text: &str) {
    for doc in text.lines() {
        doc_comment(out, indent, &super::docs::doc_line(doc.to_owned()));
    }
}

/// One `#[doc]` attribute as prettyplease prints it: `///` and the text without its trailing
/// spaces. A text a `///` comment would change (one starting with `/`, or of many lines) is
/// written as the attribute, which [`fits`] leaves to the formatter.
pub fn doc_comment(out: &mut String, indent: usize, doc: &str) {
    if doc.starts_with('/') || doc.contains(['\n', '\r']) {
        line(out, indent, &format!("#[doc = {}]", literal(doc)));
    } else {
        let _ = write!(out, "{:width$}///", "", width = indent * 4);
        out.push_str(doc.trim_end_matches(' '));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_long_code_lines_with_somewhere_to_break_do_not_fit() {
        let long = "x".repeat(MARGIN + 1);
        assert!(fits(&format!("fn f() {{}}\n    /// {long}\n//! {long}\n")));
        assert!(!fits(&format!("fn f() {{}}\n    let a = {long};\n")));
        assert!(!fits(&format!("    f({long});\n")));
        let unbreakable = [
            format!("    crate::model::{long},"),
            format!("    \"{long}\","),
            format!("pub struct {long} {{"),
            format!("for model::{long} {{"),
            format!("        {long} {{"),
            format!("    pub a: crate::{long},"),
            format!("    id: \"{long}\","),
            format!("    <crate::{long} as crate::Decode>::decode,"),
        ];
        for line in unbreakable {
            assert!(fits(&line), "{line}");
        }
        assert!(fits(&format!("    {},", "x".repeat(MARGIN - 4))));
        let arm = format!("    \"a\" => f({}),", "x".repeat(MARGIN - 14));
        assert_eq!(arm.len(), MARGIN + 1);
        assert!(fits(&arm));
        let field = format!("    pub a: Option<{}>,", "x".repeat(MARGIN - 19));
        assert_eq!(field.len(), MARGIN + 1);
        assert!(!fits(&field));
    }

    #[test]
    fn a_doc_text_a_comment_would_change_stays_an_attribute() {
        let mut out = String::new();
        doc_comment(&mut out, 1, "/ starts with a slash");
        doc_comment(&mut out, 0, " trailing  ");
        assert_eq!(
            out,
            "    #[doc = \"/ starts with a slash\"]\n/// trailing\n"
        );
        assert!(!fits(&out));
    }

    #[test]
    fn text_too_long_is_formatted_at_its_depth() {
        let long = format!(
            "const A: &str = \"{}\"; const B: u8 = 1;\n",
            "x".repeat(MARGIN)
        );
        let settled = settle(long, 2).unwrap();
        assert!(
            settled.starts_with("        const A: &str = \"xx"),
            "{settled}"
        );
        assert!(
            settled.ends_with("\n        const B: u8 = 1;\n"),
            "{settled}"
        );
    }

    #[test]
    fn a_type_too_long_has_its_arguments_one_a_line() {
        let ty = Ty::of(
            "Option",
            vec![Ty::of(
                "Map",
                vec![Ty::plain("K"), Ty::plain("x".repeat(80))],
            )],
        );
        let mut out = String::new();
        typed(&mut out, 1, "pub a: ", &ty, ",");
        let expected = format!(
            "    pub a: Option<\n        Map<\n            K,\n            {}\n        >,\n    >,\n",
            "x".repeat(80) + ","
        );
        assert_eq!(out, expected);
    }
}
