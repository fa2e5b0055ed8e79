//! Emitting the request builder of each method: its optional parameters' setters, `prepare`,
//! `send`, and the pages, downloads and uploads its method has. A builder only describes a
//! call; the runtime sends it.

use super::resources::{emit_setter, method_description, method_facts};
use super::text::{self, Ty};
use super::{Chunk, Scope, rust_ty};
use crate::ir::{MediaDownload, MethodDef, Paging, TypeRef};

/// A method's request builder, a chunk of its own (so a large resource's file is laid out on
/// every core), written as text.
pub(super) fn builder_chunk<'a>(
    scope: Scope<'a>,
    method: &'a MethodDef,
    owner: &'a str,
) -> Chunk<'a> {
    Chunk::text(None, move |_| {
        let mut out = String::with_capacity(8192);
        emit_builder(&mut out, scope, method, owner);
        text::settle(out, 0)
    })
}

/// The request builder type of one method: one generic builder, whose `send()` (and pages,
/// downloads, uploads) return what the client's kind returns.
fn emit_builder(out: &mut String, scope: Scope<'_>, method: &MethodDef, owner: &str) {
    let builder = &method.builder;
    let accessor = crate::names::unraw(&method.accessor);
    let how = format!(
        "Made by [`{owner}::{accessor}`]. Set its optional parameters with its methods and the \
         [standard ones](crate::resources::StandardParameters), then [`send`](Self::send) it."
    );
    text::docs(out, 0, &method_description(method));
    text::own_docs(
        out,
        0,
        &format!("\n{}\n\n{how}", method_facts(method, "Self::")),
    );
    text::line(out, 0, "#[derive(Clone, Debug)]");
    text::line(
        out,
        0,
        "#[must_use = \"a request builder does nothing until it is sent\"]",
    );
    let generics = vec![Ty::plain("'a"), Ty::plain("C = crate::Client")];
    text::typed(
        out,
        0,
        "pub struct ",
        &Ty::of(builder.as_str(), generics),
        " {",
    );
    text::line(out, 1, "service: &'a crate::runtime::contract::Service<C>,");
    text::line(out, 1, "call: crate::runtime::contract::Call,");
    if let Some((name, ty)) = &method.request {
        text::typed_field(out, 1, &format!("{name}: "), &rust_ty(ty, scope));
    }
    text::line(out, 0, "}");
    text::line(out, 0, &format!("impl {builder}<'_> {{"));
    text::line(
        out,
        1,
        "/// The OAuth scopes any one of which allows this call.",
    );
    scopes_const(out, method);
    text::line(out, 0, "}");
    let generics = vec![Ty::plain("'a"), Ty::plain("C: crate::runtime::Backend")];
    let opening = format!(" {builder}<'a, C> {{");
    text::typed(out, 0, "", &Ty::of("impl", generics), &opening);
    for param in &method.optional {
        emit_setter(out, 1, scope, param, ("pub ", "self.call"));
    }
    emit_prepare(out, method);
    if let Some(use_download_service) = match method.media_download {
        MediaDownload::No => None,
        MediaDownload::ServicePath => Some(false),
        MediaDownload::DownloadService => Some(true),
    } {
        text::own_docs(
            out,
            1,
            "Downloads the content itself (`alt=media`) instead of its metadata, as a stream:\n\
             a [`Download`](crate::runtime::Download) to read with a blocking client, an\n\
             [`AsyncDownload`](crate::runtime::AsyncDownload) with an async one.",
        );
        let reply = backend_type("Reply", vec![Ty::plain("C::Download")]);
        text::signature(out, 1, "pub fn download", &[("mut self", None)], &reply);
        text::line(
            out,
            2,
            &format!("self.call.set_download_service({use_download_service});"),
        );
        text::line(out, 2, "C::download_media(self.service, self.call)");
        text::line(out, 1, "}");
    }
    let (response_type, decoder) = response_decoder(scope, method);
    text::own_docs(
        out,
        1,
        "Sends the request and returns the response: the result itself with a blocking\n\
         client, a future of it with an async one.",
    );
    let reply = backend_type("Reply", vec![response_type]);
    text::signature(out, 1, "pub fn send", &[("self", None)], &reply);
    ready_call(out, method);
    out.push_str(&text::call_fn(
        2,
        "C::execute",
        &["self.service", "call", &decoder],
        "",
    ));
    text::line(out, 1, "}");
    match method.paging {
        Paging::No => {}
        Paging::Pages => emit_paging(out, scope, method, false),
        Paging::Items => emit_paging(out, scope, method, true),
    }
    if let Some(upload) = &method.upload {
        emit_uploads(out, scope, method, upload);
    }
    text::line(out, 0, "}");
    text::impl_line(
        out,
        0,
        "impl<C: crate::runtime::Backend> crate::runtime::CallBuilder",
        &format!("{builder}<'_, C> {{"),
    );
    text::line(
        out,
        1,
        "fn call_mut(&mut self) -> &mut crate::runtime::contract::Call {",
    );
    text::line(out, 2, "&mut self.call");
    text::line(out, 1, "}");
    text::line(out, 0, "}");
    text::impl_line(
        out,
        0,
        "impl<C: crate::runtime::Backend> crate::resources::StandardParameters",
        &format!("{builder}<'_, C> {{}}"),
    );
}

/// `<C as crate::runtime::Backend>::{name}<'a, {args}>`, what a builder's method returns.
fn backend_type(name: &str, args: Vec<Ty>) -> Ty {
    Ty::of(
        format!("<C as crate::runtime::Backend>::{name}"),
        std::iter::once(Ty::plain("'a")).chain(args).collect(),
    )
}

/// The builder's `SCOPES`: every scope of the API, or those the method names.
fn scopes_const(out: &mut String, method: &MethodDef) {
    const DECLARATION: &str = "pub const SCOPES: &'static [crate::Scope] = ";
    if method.all_scopes {
        return text::line(out, 1, &format!("{DECLARATION}crate::Scope::ALL;"));
    }
    let variants: Vec<String> = method
        .scopes
        .iter()
        .map(|variant| format!("crate::Scope::{variant}"))
        .collect();
    let whole = format!("{DECLARATION}&[{}];", variants.join(", "));
    if text::fits_at(1, &whole) {
        return text::line(out, 1, &whole);
    }
    text::line(out, 1, &format!("{DECLARATION}&["));
    for variant in &variants {
        text::line(out, 2, &format!("{variant},"));
    }
    text::line(out, 1, "];");
}

/// `prepare()`: the request without sending it.
fn emit_prepare(out: &mut String, method: &MethodDef) {
    text::own_docs(
        out,
        1,
        "The request this call would send, without sending it (and so without an\n\
         `Authorization` header).",
    );
    let result = Ty::of(
        "::std::result::Result",
        vec![
            Ty::plain("crate::runtime::PreparedRequest"),
            Ty::plain("crate::Error"),
        ],
    );
    text::signature(out, 1, "pub fn prepare", &[("&self", None)], &result);
    match &method.request {
        Some((name, _)) => {
            text::line(out, 2, "let mut call = self.call.clone();");
            // A raw body is taken apart, so `prepare` (which only borrows) takes a copy.
            match &method.raw_request {
                Some(raw) => set_raw_body(out, raw, &format!("self.{name}.clone()")),
                None => text::line(out, 2, &format!("call.write_json_body(&self.{name});")),
            }
            text::line(out, 2, "self.service.prepare(&call)");
        }
        None => text::line(out, 2, "self.service.prepare(&self.call)"),
    }
    text::line(out, 1, "}");
}

/// Writes the statements that leave the call to send in `call`, as a `Result`: with its body,
/// or the error of a JSON body that could not be serialized (sent back by the call, not raised
/// here).
fn ready_call(out: &mut String, method: &MethodDef) {
    let Some((name, _)) = &method.request else {
        return text::line(out, 2, "let call = ::std::result::Result::Ok(self.call);");
    };
    text::line(out, 2, "let mut call = self.call;");
    match &method.raw_request {
        Some(raw) => set_raw_body(out, raw, &format!("self.{name}")),
        None => text::line(out, 2, &format!("call.write_json_body(&self.{name});")),
    }
    text::line(out, 2, "let call = ::std::result::Result::Ok(call);");
}

/// The Rust type a method answers with, and the function that reads it: the model type's
/// `Decode` or `RawBody`, else the runtime's JSON reader for lists and maps.
fn response_decoder(scope: Scope<'_>, method: &MethodDef) -> (Ty, String) {
    match (&method.response, &method.raw_response) {
        (Some(ty), Some(_)) => {
            let ty = rust_ty(ty, scope);
            let decoder = format!("crate::runtime::contract::raw::<{}>", ty.flat());
            (ty, decoder)
        }
        (Some(named @ TypeRef::Named(_)), None) => {
            let ty = rust_ty(named, scope);
            let decoder = format!(
                "<{} as crate::runtime::contract::Decode>::decode",
                ty.flat()
            );
            (ty, decoder)
        }
        (Some(other), None) => {
            let ty = rust_ty(other, scope);
            let decoder = format!("crate::runtime::contract::read::<{}>", ty.flat());
            (ty, decoder)
        }
        (None, _) => (
            Ty::plain("()"),
            "crate::runtime::contract::ignore".to_owned(),
        ),
    }
}

/// Writes `call.set_raw_body(..)` from the fields of an `HttpBody` value, `body`.
fn set_raw_body(out: &mut String, raw: &crate::ir::RawBodyDef, body: &str) {
    let (content_type, data) = (&raw.content_type_field, &raw.data_field);
    text::line(out, 2, &format!("let body = {body};"));
    text::line(out, 2, "call.set_raw_body(");
    text::line(
        out,
        3,
        &format!("body.{data}.map(crate::runtime::Bytes::into_vec).unwrap_or_default(),"),
    );
    text::line(out, 3, &format!("body.{content_type},"));
    text::line(out, 2, ");");
}

/// `pages()` and, when the pages have items, `items()` on the builder of a list method.
fn emit_paging(out: &mut String, scope: Scope<'_>, method: &MethodDef, has_items: bool) {
    let Some(response) = &method.response else {
        // Lowering pages only methods that answer with a page.
        return;
    };
    let response = rust_ty(response, scope);
    text::own_docs(
        out,
        1,
        "Every page of the list, from the page token set on this call (if any), following\n\
         `nextPageToken` until it is absent or empty: an `Iterator` with a blocking client, a\n\
         `Stream` with an async one. Each page is one call with this call's timeout and\n\
         retries; an error ends the list, and a page token the server hands out twice is an\n\
         error rather than an endless loop.",
    );
    let pages = backend_type("Pages", vec![response.clone()]);
    text::signature(out, 1, "pub fn pages", &[("self", None)], &pages);
    ready_call(out, method);
    text::line(out, 2, "C::pages(self.service, call)");
    text::line(out, 1, "}");
    if has_items {
        text::own_docs(
            out,
            1,
            "Every item of every page, fetched page by page as [`pages`](Self::pages) does.",
        );
        let items = backend_type("Items", vec![response]);
        text::signature(out, 1, "pub fn items", &[("self", None)], &items);
        text::line(out, 2, "C::items(self.pages())");
        text::line(out, 1, "}");
    }
}

/// `upload()` and `upload_resumable()` on the builder of a method that takes media.
fn emit_uploads(
    out: &mut String,
    scope: Scope<'_>,
    method: &MethodDef,
    upload: &crate::ir::UploadDef,
) {
    // The body, when the method has one (and it is JSON), is the upload's metadata.
    let with_metadata = method.request.is_some() && method.raw_request.is_none();
    let (response_type, decoder) = response_decoder(scope, method);
    let limits = {
        let types = if upload.accept.is_empty() || upload.accept.iter().any(|range| range == "*/*")
        {
            "content of any media type".to_owned()
        } else {
            let ranges: Vec<String> = upload
                .accept
                .iter()
                .map(|range| format!("`{range}`"))
                .collect();
            format!("content of type {}", ranges.join(", "))
        };
        match upload.max_size {
            Some(bytes) => format!(" It takes {types}, of at most {}.", readable_size(bytes)),
            None => format!(" It takes {types}."),
        }
    };
    let content = " The content is a `std::io::Read` with a blocking client, a \
                   `tokio::io::AsyncRead` with an async one.";
    let simple_doc = if with_metadata {
        format!(
            " Sends `content` (of media type `mime`) with the request body as its metadata, in \
             one `multipart/related` request (`uploadType=multipart`).{limits}{content} It is \
             read into memory first; for large content use \
             [`upload_resumable`](Self::upload_resumable). An upload is never retried."
        )
    } else {
        format!(
            " Sends `content` (of media type `mime`) in one request (`uploadType=media`).\
             {limits}{content} It is read into memory first; for large content use \
             [`upload_resumable`](Self::upload_resumable). An upload is never retried."
        )
    };
    let resumable_doc = format!(
        " Uploads `content` (of media type `mime`) with the resumable protocol, in chunks that \
         are retried and confirmed one by one; a session can be resumed by a later process. Set \
         its options, then `send()` it; see [`ResumableUpload`](crate::runtime::ResumableUpload) \
         and [`AsyncResumableUpload`](crate::runtime::AsyncResumableUpload).{limits}{content}"
    );
    text::line(
        out,
        1,
        "/// Where and what this method uploads, as its document says.",
    );
    text::line(
        out,
        1,
        "fn upload_info() -> &'static crate::runtime::contract::UploadInfo {",
    );
    text::line(out, 2, "use crate::runtime::contract::UploadInfo;");
    text::line(out, 2, "static UPLOAD: UploadInfo = UploadInfo {");
    text::line(
        out,
        3,
        &format!("path: {},", text::literal(&upload.path.text)),
    );
    // Only what differs from `UploadInfo::BASE` is written.
    if !upload.accept.is_empty() {
        let ranges: Vec<String> = upload
            .accept
            .iter()
            .map(|range| text::literal(range))
            .collect();
        text::line(out, 3, &format!("accept: &[{}],", ranges.join(", ")));
    }
    if let Some(bytes) = upload.max_size {
        text::line(
            out,
            3,
            &format!("max_size: ::std::option::Option::Some({bytes}u64),"),
        );
    }
    text::line(out, 3, "..UploadInfo::BASE");
    text::line(out, 2, "};");
    text::line(out, 2, "&UPLOAD");
    text::line(out, 1, "}");
    let ready = |out: &mut String| {
        if with_metadata {
            ready_call(out, method);
        } else {
            text::line(out, 2, "let call = ::std::result::Result::Ok(self.call);");
        }
    };
    let args = [
        "content",
        "self.service",
        "call",
        "Self::upload_info()",
        "mime",
        &decoder,
    ];
    text::doc_comment(out, 1, &simple_doc);
    let reply = backend_type("Reply", vec![response_type.clone()]);
    let content_param = Ty::plain("impl crate::runtime::Content<C> + 'a");
    text::signature(
        out,
        1,
        "pub fn upload",
        &[
            ("self", None),
            ("content: ", Some(&content_param)),
            ("mime: &str", None),
        ],
        &reply,
    );
    ready(out);
    out.push_str(&text::call_fn(
        2,
        "crate::runtime::Content::upload",
        &args,
        "",
    ));
    text::line(out, 1, "}");
    text::doc_comment(out, 1, &resumable_doc);
    let resumable = backend_type("Resumable", vec![response_type, Ty::plain("X")]);
    text::signature(
        out,
        1,
        "pub fn upload_resumable<X: crate::runtime::Content<C> + 'a>",
        &[("self", None), ("content: X", None), ("mime: &str", None)],
        &resumable,
    );
    ready(out);
    out.push_str(&text::call_fn(
        2,
        "crate::runtime::Content::upload_resumable",
        &args,
        "",
    ));
    text::line(out, 1, "}");
}

/// A size in bytes as a person reads it: `1 GiB` rather than `1073741824 bytes`.
fn readable_size(bytes: u64) -> String {
    const UNITS: [(u32, &str); 4] = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")];
    UNITS
        .iter()
        .find(|(shift, _)| bytes >= 1 << shift && bytes.is_multiple_of(1 << shift))
        .map_or_else(
            || format!("{bytes} bytes"),
            |(shift, unit)| format!("{} {unit}", bytes >> shift),
        )
}
