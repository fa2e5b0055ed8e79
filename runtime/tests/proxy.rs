//! The proxies the environment names, against a proxy on 127.0.0.1: plain HTTP goes to it with
//! absolute URLs and its credentials, https asks it for a tunnel (CONNECT) with them, and a host
//! in `NO_PROXY` is reached directly. One test in a binary of its own, since the environment is
//! the process's.

#[path = "support/modes.rs"]
mod modes;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use google_api_runtime::{Error, RetryPolicy, StaticToken};
use google_dataportability_v1::DataPortability;
use modes::{BuildMode as _, Wait as _, cases};

/// The request heads a proxy got, each a list of lines.
type Heads = Arc<Mutex<Vec<Vec<String>>>>;

/// A proxy that refuses every tunnel (403) and answers every plain request itself with an
/// archive state; its address and what it got.
fn proxy() -> (String, Heads) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().unwrap().to_string();
    let heads: Heads = Arc::default();
    let record = Arc::clone(&heads);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let record = Arc::clone(&record);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                loop {
                    let mut head = Vec::new();
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        head.push(line.trim_end().to_owned());
                        line.clear();
                    }
                    let Some(first) = head.first().cloned() else {
                        return;
                    };
                    record.lock().unwrap().push(head);
                    let answer = if first.starts_with("CONNECT ") {
                        "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n".to_owned()
                    } else {
                        let body = r#"{"state": "COMPLETE"}"#;
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             content-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                    };
                    if writer.write_all(answer.as_bytes()).is_err() || first.starts_with("CONNECT")
                    {
                        return;
                    }
                }
            });
        }
    });
    (address, heads)
}

/// A server on 127.0.0.1 that answers one archive state, for the host `NO_PROXY` names.
fn direct() -> (String, Arc<Mutex<usize>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = server.server_addr().to_ip().unwrap().port();
    let count: Arc<Mutex<usize>> = Arc::default();
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        while let Ok(Some(request)) = server.recv_timeout(Duration::from_secs(10)) {
            *seen.lock().unwrap() += 1;
            let _ = request.respond(tiny_http::Response::from_string(r#"{"state": "COMPLETE"}"#));
        }
    });
    (format!("http://127.0.0.1:{port}/"), count)
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

cases! {
    /// Asks for an archive's state at `root` through a client of kind `M`.
    pub(super) fn state(root: &str) -> Result<(), Error> {
        let client = google_api_runtime::Client::builder()
            .root_url(root)
            .token_source(StaticToken::new("ya29.proxied-token"))
            .retry_policy(RetryPolicy::disabled())
            .timeout(Duration::from_secs(10))
            .build_mode::<M>();
        DataPortability::new(&client)
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/x/portabilityArchiveState")
            .send()
            .wait()
            .map(drop)
    }

    pub(super) fn check(heads: &Heads, direct_root: &str, direct_count: &Arc<Mutex<usize>>) {
        heads.lock().unwrap().clear();
        // Plain HTTP: the proxy gets the whole URL, its credentials and the request's own headers.
        state("http://api.proxied.invalid/").unwrap();
        let head = heads
            .lock()
            .unwrap()
            .pop()
            .expect("the proxy got the request");
        assert_eq!(
            head[0],
            "GET http://api.proxied.invalid/v1/archiveJobs/x/portabilityArchiveState HTTP/1.1"
        );
        // `user:s3cret` in Basic.
        assert_eq!(
            header(&head, "proxy-authorization"),
            Some("Basic dXNlcjpzM2NyZXQ=")
        );
        assert_eq!(
            header(&head, "authorization"),
            Some("Bearer ya29.proxied-token")
        );

        // https: a tunnel is asked for, with the proxy's credentials; refused, nothing is sent.
        let error = state("https://api.proxied.invalid/").unwrap_err();
        let head = heads
            .lock()
            .unwrap()
            .pop()
            .expect("the proxy got the CONNECT");
        assert_eq!(head[0], "CONNECT api.proxied.invalid:443 HTTP/1.1");
        assert_eq!(
            header(&head, "proxy-authorization"),
            Some("Basic dXNlcjpzM2NyZXQ=")
        );
        assert!(header(&head, "authorization").is_none(), "{head:?}");
        match &error {
            Error::Transport { source, .. } => assert!(source.is_connect(), "{source}"),
            other => panic!("{other:?}"),
        }
        assert!(
            !format!("{error} {error:?}").contains("s3cret"),
            "{error:?}"
        );

        // A host NO_PROXY names is reached directly.
        let before = *direct_count.lock().unwrap();
        state(direct_root).unwrap();
        assert_eq!(*direct_count.lock().unwrap(), before + 1);
        assert!(
            heads.lock().unwrap().is_empty(),
            "the proxy got nothing more"
        );
    }
}

#[test]
fn the_environments_proxies_are_used_with_their_credentials() {
    let (address, heads) = proxy();
    let (direct_root, direct_count) = direct();
    let proxy_url = format!("http://user:s3cret@{address}");
    // SAFETY: this binary's only test sets the variables before any client reads them, and no
    // other thread of it reads the environment.
    unsafe {
        std::env::set_var("HTTP_PROXY", &proxy_url);
        std::env::set_var("HTTPS_PROXY", &proxy_url);
        std::env::set_var("NO_PROXY", "127.0.0.1");
    }
    blocking::check(&heads, &direct_root, &direct_count);
    asynchronous::check(&heads, &direct_root, &direct_count);

    // A proxy spoken to over TLS is not supported: said, and nothing is sent in the clear.
    // SAFETY: as above.
    unsafe { std::env::set_var("HTTPS_PROXY", format!("https://user:s3cret@{address}")) };
    let error = blocking::state("https://api.proxied.invalid/").unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("only http:// proxies"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(
        heads.lock().unwrap().is_empty(),
        "{:?}",
        heads.lock().unwrap()
    );
}
