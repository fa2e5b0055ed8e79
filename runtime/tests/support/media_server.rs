//! A strict media upload server on 127.0.0.1, with the standard library only: it implements
//! Google's simple (`media`, `multipart`) and resumable upload protocols, refuses anything the
//! protocols do not allow, can be told to fail chunks in the ways real networks do, takes
//! calls that send metadata alone, and serves pages of a list. Tests include it with `#[path]`; so does the generated-crate acceptance
//! program of `cargo xtask corpus`.

#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// Chunks other than the last must be a multiple of this.
pub const GRANULARITY: usize = 256 * 1024;

/// What the server does to the next chunk `PUT` of a resumable upload.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answers with this status and keeps nothing of the chunk.
    Status(u16),
    /// Reads half of the chunk, then closes the connection without an answer; keeps nothing.
    DropMidChunk,
    /// Keeps only the chunk's first whole multiples of 256 KiB, less one such unit if that is
    /// all of it, and confirms what it kept.
    KeepLess,
    /// Forgets the session and answers 410.
    Gone,
    /// Keeps nothing of the chunk and confirms what it had, as a server that stalls would.
    KeepNothing,
    /// Keeps nothing of the chunk and loses the last 256 KiB it had before, as a server that
    /// lost a write would; confirms what is left.
    Rewind,
    /// Reads the chunk, then waits three seconds before taking it and answering, as a slow
    /// server would: a client can be stopped while the chunk is in flight.
    Hold,
}

/// An upload the server completed.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// `media`, `multipart` or `resumable`; `none` for a call that sent only metadata.
    pub protocol: String,
    /// The request path, without the query.
    pub path: String,
    /// The metadata JSON, when there was any.
    pub metadata: Option<String>,
    /// The content's media type.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body_len: usize,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Default)]
struct Session {
    path: String,
    metadata: Option<String>,
    content_type: String,
    declared: Option<u64>,
    received: Vec<u8>,
}

#[derive(Default)]
struct State {
    sessions: BTreeMap<u64, Session>,
    next_session: u64,
    faults: VecDeque<Option<Fault>>,
    uploads: Vec<Upload>,
    seen: Vec<Seen>,
    /// Bodies of the pages of a list, the first one first.
    pages: Vec<String>,
    /// Where session URIs point, when not at this server (to test that they are refused).
    session_host: Option<String>,
}

/// The server; it runs until the process ends.
#[derive(Clone)]
pub struct MediaServer {
    /// `http://127.0.0.1:PORT/`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl MediaServer {
    pub fn start() -> MediaServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base_url = format!("http://{}/", listener.local_addr().unwrap());
        let server = MediaServer {
            base_url,
            state: Arc::default(),
        };
        let serving = server.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let serving = serving.clone();
                thread::spawn(move || serving.serve(stream));
            }
        });
        server
    }

    /// What to do to the chunk `PUT`s to come, in order: `None` leaves one alone.
    pub fn plan(&self, faults: impl IntoIterator<Item = Option<Fault>>) {
        self.state.lock().unwrap().faults = faults.into_iter().collect();
    }

    /// Serve these bodies as the pages of every `GET`: the first without a `pageToken`, page
    /// `n` for `pageToken=pn`.
    pub fn pages(&self, pages: Vec<String>) {
        self.state.lock().unwrap().pages = pages;
    }

    /// Hand out session URIs on `host` (`http://127.0.0.1:1`) instead of this server.
    pub fn session_host(&self, host: &str) {
        self.state.lock().unwrap().session_host = Some(host.to_owned());
    }

    /// The uploads completed so far.
    pub fn uploads(&self) -> Vec<Upload> {
        self.state.lock().unwrap().uploads.clone()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// The bytes session `uri` holds so far.
    pub fn received(&self, uri: &str) -> Option<usize> {
        let id = query_value(uri.split_once('?')?.1, "upload_id")?
            .parse()
            .ok()?;
        Some(self.state.lock().unwrap().sessions.get(&id)?.received.len())
    }

    fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        loop {
            let Some((method, target, headers)) = read_head(&mut reader) else {
                return;
            };
            let length: usize = header(&headers, "content-length")
                .and_then(|value| value.parse().ok())
                .unwrap_or(0);
            if header(&headers, "transfer-encoding").is_some() {
                respond(
                    &mut writer,
                    411,
                    &[],
                    b"{\"error\":\"a length is required\"}",
                );
                return;
            }
            let is_chunk = method == "PUT" && target.contains("upload_id=");
            let fault = if is_chunk && length > 0 {
                self.state.lock().unwrap().faults.pop_front().flatten()
            } else {
                None
            };
            if fault == Some(Fault::DropMidChunk) {
                let mut half = vec![0; length / 2];
                let _ = reader.read_exact(&mut half);
                self.record(&method, &target, &headers, half.len());
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            self.record(&method, &target, &headers, body.len());
            let fault = if fault == Some(Fault::Hold) {
                std::thread::sleep(std::time::Duration::from_secs(3));
                None
            } else {
                fault
            };
            let (status, extra, answer) = self.answer(&method, &target, &headers, body, fault);
            let extra: Vec<(&str, &str)> = extra
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            if !respond(&mut writer, status, &extra, answer.as_bytes()) {
                return;
            }
        }
    }

    fn record(&self, method: &str, target: &str, headers: &[(String, String)], body_len: usize) {
        self.state.lock().unwrap().seen.push(Seen {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: headers.to_vec(),
            body_len,
        });
    }

    fn answer(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
        fault: Option<Fault>,
    ) -> (u16, Vec<(String, String)>, String) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut state = self.state.lock().unwrap();
        if let Some(id) = query_value(query, "upload_id") {
            if method != "PUT" {
                return refuse(405, "session requests are PUT");
            }
            return match id.parse() {
                Ok(id) => state.chunk(id, headers, body, fault),
                Err(_) => refuse(404, "no such session"),
            };
        }
        if method == "GET" {
            let index = match query_value(query, "pageToken") {
                None => 0,
                Some(token) => match token.strip_prefix('p').and_then(|n| n.parse().ok()) {
                    Some(index) => index,
                    None => return refuse(400, "bad page token"),
                },
            };
            return match state.pages.get(index) {
                Some(page) => (200, Vec::new(), page.clone()),
                None => refuse(404, "no such page"),
            };
        }
        if !path.starts_with("/upload/") {
            // A call without content (Drive: create a folder): its metadata alone, as JSON.
            let metadata = String::from_utf8(body).unwrap_or_default();
            if !is_json_object(&metadata) {
                return refuse(400, "a call without content has a JSON body");
            }
            return state.finish(Upload {
                protocol: "none".into(),
                path: path.into(),
                content_type: string_field(&metadata, "mimeType").unwrap_or_default(),
                metadata: Some(metadata),
                content: Vec::new(),
            });
        }
        let content_type = header(headers, "content-type").unwrap_or_default();
        match query_value(query, "uploadType").as_deref() {
            Some("media") => {
                if content_type.is_empty() || content_type.starts_with("multipart/") {
                    return refuse(400, "a media upload has the content's type");
                }
                state.finish(Upload {
                    protocol: "media".into(),
                    path: path.into(),
                    metadata: None,
                    content_type: content_type.into(),
                    content: body,
                })
            }
            Some("multipart") => match parse_multipart(content_type, &body) {
                Ok((metadata, part_type, content)) => state.finish(Upload {
                    protocol: "multipart".into(),
                    path: path.into(),
                    metadata: Some(metadata),
                    content_type: part_type,
                    content,
                }),
                Err(why) => refuse(400, &why),
            },
            Some("resumable") => {
                let Some(media_type) = header(headers, "x-upload-content-type") else {
                    return refuse(400, "X-Upload-Content-Type is missing");
                };
                let declared = match header(headers, "x-upload-content-length") {
                    None => None,
                    Some(value) => match value.parse() {
                        Ok(length) => Some(length),
                        Err(_) => return refuse(400, "bad X-Upload-Content-Length"),
                    },
                };
                let metadata = if body.is_empty() {
                    None
                } else if content_type.starts_with("application/json") {
                    match String::from_utf8(body) {
                        Ok(text) if is_json_object(&text) => Some(text),
                        _ => return refuse(400, "the metadata is not a JSON object"),
                    }
                } else {
                    return refuse(400, "the metadata is not JSON");
                };
                state.next_session += 1;
                let id = state.next_session;
                state.sessions.insert(
                    id,
                    Session {
                        path: path.into(),
                        metadata,
                        content_type: media_type.into(),
                        declared,
                        received: Vec::new(),
                    },
                );
                let host = state
                    .session_host
                    .clone()
                    .unwrap_or_else(|| self.base_url.trim_end_matches('/').to_owned());
                let location = format!("{host}{path}?uploadType=resumable&upload_id={id}");
                (200, vec![("location".into(), location)], String::new())
            }
            _ => refuse(400, "uploadType must be media, multipart or resumable"),
        }
    }
}

impl State {
    /// A chunk or a status query of session `id`.
    fn chunk(
        &mut self,
        id: u64,
        headers: &[(String, String)],
        body: Vec<u8>,
        fault: Option<Fault>,
    ) -> (u16, Vec<(String, String)>, String) {
        if !self.sessions.contains_key(&id) {
            return refuse(404, "no such session");
        }
        let Some(range) = header(headers, "content-range") else {
            return refuse(400, "Content-Range is missing");
        };
        let Some((span, total)) = range.strip_prefix("bytes ").and_then(|r| r.split_once('/'))
        else {
            return refuse(400, "Content-Range is not `bytes a-b/total`");
        };
        let total: Option<u64> = match total {
            "*" => None,
            number => match number.parse() {
                Ok(total) => Some(total),
                Err(_) => return refuse(400, "bad total in Content-Range"),
            },
        };
        let session = self.sessions.get_mut(&id).unwrap();
        if let (Some(declared), Some(total)) = (session.declared, total) {
            if declared != total {
                return refuse(400, "the total differs from X-Upload-Content-Length");
            }
        }
        let total = total.or(session.declared);
        if span == "*" {
            if !body.is_empty() {
                return refuse(400, "a status query has no body");
            }
        } else {
            let Some((first, last)) = span
                .split_once('-')
                .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
            else {
                return refuse(400, "bad byte range in Content-Range");
            };
            if first != session.received.len() as u64 {
                return refuse(400, "the chunk does not start where the session ends");
            }
            if last < first || last - first + 1 != body.len() as u64 {
                return refuse(400, "the chunk's length differs from its Content-Range");
            }
            let is_last = total == Some(last + 1);
            if !is_last && body.len() % GRANULARITY != 0 {
                return refuse(
                    400,
                    "a chunk other than the last is not a multiple of 256 KiB",
                );
            }
            if total.is_some_and(|total| last + 1 > total) {
                return refuse(400, "the chunk goes past the total");
            }
            match fault {
                Some(Fault::Status(status)) => return refuse(status, "injected failure"),
                Some(Fault::Gone) => {
                    self.sessions.remove(&id);
                    return refuse(410, "the session is gone");
                }
                Some(Fault::KeepLess) => {
                    let whole = body.len() / GRANULARITY * GRANULARITY;
                    let kept = if whole == body.len() {
                        whole.saturating_sub(GRANULARITY)
                    } else {
                        whole
                    };
                    session.received.extend_from_slice(&body[..kept]);
                    return incomplete(session.received.len());
                }
                Some(Fault::KeepNothing) => return incomplete(session.received.len()),
                Some(Fault::Rewind) => {
                    let left = session.received.len().saturating_sub(GRANULARITY);
                    session.received.truncate(left);
                    return incomplete(left);
                }
                Some(Fault::DropMidChunk | Fault::Hold) | None => {}
            }
            session.received.extend_from_slice(&body);
        }
        if total == Some(session.received.len() as u64) {
            let session = self.sessions.remove(&id).unwrap();
            return self.finish(Upload {
                protocol: "resumable".into(),
                path: session.path,
                metadata: session.metadata,
                content_type: session.content_type,
                content: session.received,
            });
        }
        incomplete(session.received.len())
    }

    /// Keeps a completed upload and answers with the resource it made.
    fn finish(&mut self, upload: Upload) -> (u16, Vec<(String, String)>, String) {
        let name = upload
            .metadata
            .as_deref()
            .and_then(|metadata| string_field(metadata, "name"))
            .unwrap_or_default();
        let answer = format!(
            "{{\"id\":\"upload-{}\",\"name\":\"{}\",\"mimeType\":\"{}\",\"size\":\"{}\"}}",
            self.uploads.len() + 1,
            name,
            upload.content_type,
            upload.content.len()
        );
        self.uploads.push(upload);
        (200, Vec::new(), answer)
    }
}

/// `308 Resume Incomplete` confirming `received` bytes.
fn incomplete(received: usize) -> (u16, Vec<(String, String)>, String) {
    let range = (received > 0).then(|| ("range".to_owned(), format!("bytes=0-{}", received - 1)));
    (308, range.into_iter().collect(), String::new())
}

fn refuse(status: u16, why: &str) -> (u16, Vec<(String, String)>, String) {
    let body = format!(
        "{{\"error\":{{\"code\":{status},\"message\":\"{}\"}}}}",
        why.replace('"', "'")
    );
    (status, Vec::new(), body)
}

/// The metadata, the content's type and the content of a `multipart/related` body of exactly
/// two parts, JSON first.
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<(String, String, Vec<u8>), String> {
    let boundary = content_type
        .strip_prefix("multipart/related; boundary=")
        .ok_or("the content type is not multipart/related with a boundary")?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let opening = format!("{delimiter}\r\n");
    let rest = body
        .strip_prefix(opening.as_bytes())
        .ok_or("the body does not open with the boundary")?;
    let closing = format!("\r\n{delimiter}--\r\n");
    let rest = rest
        .strip_suffix(closing.as_bytes())
        .ok_or("the body does not close with the boundary")?;
    let separator = format!("\r\n{delimiter}\r\n");
    let split = find(rest, separator.as_bytes()).ok_or("the body has one part, not two")?;
    let (first, second) = (&rest[..split], &rest[split + separator.len()..]);
    if find(second, separator.as_bytes()).is_some() {
        return Err("the body has more than two parts".into());
    }
    let (first_headers, metadata) = part(first)?;
    if !first_headers
        .get("content-type")
        .is_some_and(|value| value.starts_with("application/json"))
    {
        return Err("the first part is not JSON".into());
    }
    let metadata = String::from_utf8(metadata.to_vec()).map_err(|_| "metadata is not UTF-8")?;
    if !is_json_object(&metadata) {
        return Err("the metadata is not a JSON object".into());
    }
    let (second_headers, content) = part(second)?;
    let media_type = second_headers
        .get("content-type")
        .ok_or("the content part has no content type")?
        .clone();
    Ok((metadata, media_type, content.to_vec()))
}

/// A part's headers (lower-case names) and its body.
fn part(bytes: &[u8]) -> Result<(BTreeMap<String, String>, &[u8]), String> {
    let end = find(bytes, b"\r\n\r\n").ok_or("a part has no blank line after its headers")?;
    let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "a part's headers are not text")?;
    let mut headers = BTreeMap::new();
    for line in head.split("\r\n") {
        let (name, value) = line.split_once(':').ok_or("a part header has no colon")?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    Ok((headers, &bytes[end + 4..]))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Whether `text` looks like one JSON object (the server has no JSON parser).
fn is_json_object(text: &str) -> bool {
    let text = text.trim();
    text.starts_with('{') && text.ends_with('}')
}

/// The string value of `"field":"..."` in flat JSON, when present.
fn string_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\":");
    let start = json.find(&key)? + key.len();
    let rest = json[start..].trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| value.to_owned())
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The request line and headers, or `None` when the connection ended.
#[allow(clippy::type_complexity)]
fn read_head(reader: &mut impl BufRead) -> Option<(String, String, Vec<(String, String)>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut words = line.split_whitespace();
    let (method, target) = (words.next()?.to_owned(), words.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Some((method, target, headers));
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
}

/// Writes a response with a JSON body; `false` when the connection is gone.
fn respond(writer: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &[u8]) -> bool {
    let mut head = format!(
        "HTTP/1.1 {status} Status\r\ncontent-length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("content-type: application/json\r\n");
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes()).is_ok() && writer.write_all(body).is_ok()
}
