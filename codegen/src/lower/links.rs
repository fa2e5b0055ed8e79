//! Google's site-relative Markdown links (`[guide](/drive/api/guides/about-files)`) made
//! absolute against the origin of the API's documentation link, so that they work on docs.rs.

use crate::ir::{Api, MethodDef, ParamDef, ResourceDef, TypeDef};

/// Every description in `api` with its site-relative link targets made absolute; nothing
/// changes when the API's documentation link is not an http(s) URL.
pub fn make_absolute(api: &mut Api) {
    let Some(origin) = api.documentation_link.as_deref().and_then(origin) else {
        return;
    };
    let fix = |text: &mut String| {
        if let Some(fixed) = resolve(text, &origin) {
            *text = fixed;
        }
    };
    fix(&mut api.description);
    for scope in &mut api.scopes {
        fix(&mut scope.description);
    }
    for def in &mut api.types {
        match def {
            TypeDef::Struct(def) => {
                fix(&mut def.description);
                for field in &mut def.fields {
                    fix(&mut field.description);
                }
            }
            TypeDef::Enum(def) => {
                fix(&mut def.description);
                for variant in &mut def.variants {
                    fix(&mut variant.description);
                }
            }
            TypeDef::Newtype(def) => fix(&mut def.description),
        }
    }
    let fix_params = |params: &mut Vec<ParamDef>| {
        for param in params {
            fix(&mut param.description);
        }
    };
    fix_params(&mut api.standard_params);
    let mut methods: Vec<&mut MethodDef> = api.root_methods.iter_mut().collect();
    let mut pending: Vec<&mut ResourceDef> = api.resources.iter_mut().collect();
    while let Some(resource) = pending.pop() {
        methods.extend(resource.methods.iter_mut());
        pending.extend(resource.children.iter_mut());
    }
    for method in methods {
        fix(&mut method.description);
        fix_params(&mut method.positional);
        fix_params(&mut method.optional);
    }
}

/// `https://host` of an http(s) URL with a host.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    (!host.is_empty() && host.chars().all(plain)).then(|| format!("{scheme}://{host}"))
}

/// `text` with each `](/path` made `](origin/path`; `None` when it has none. A target that
/// starts `//` (another host, any scheme) is left alone.
fn resolve(text: &str, origin: &str) -> Option<String> {
    if !text.contains("](/") {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find("](/") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        if !after.starts_with("//") {
            out.push_str(origin);
        }
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{origin, resolve};

    #[test]
    fn site_relative_targets_take_the_documentation_origin() {
        let origin = origin("https://developers.google.com/workspace/drive/").unwrap();
        assert_eq!(origin, "https://developers.google.com");
        assert_eq!(
            resolve(
                "See [files](/drive/api/guides/about-files) and [x](//a.b/c).",
                &origin
            )
            .unwrap(),
            "See [files](https://developers.google.com/drive/api/guides/about-files) and \
             [x](//a.b/c)."
        );
        assert_eq!(resolve("No [links](https://a.b/).", &origin), None);
        assert_eq!(super::origin("ftp://a.b/"), None);
        assert_eq!(super::origin("https://a b/"), None);
        assert_eq!(super::origin("https:///x"), None);
    }
}
