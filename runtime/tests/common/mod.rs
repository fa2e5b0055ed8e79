//! A small HTTP server on 127.0.0.1 for tests: it answers from a script and records what it got.

#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// The request target exactly as sent: path and query.
    pub target: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// The same reply with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same reply, sent only after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }
}

/// A server that answers its scripted replies in order, then stops.
pub struct TestServer {
    pub base_url: String,
    received: mpsc::Receiver<Received>,
}

impl TestServer {
    pub fn start(replies: Vec<Reply>) -> Self {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let (sender, received) = mpsc::channel();
        thread::spawn(move || {
            for reply in replies {
                // A test that sends fewer requests than scripted must not keep this thread.
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_secs(10)) else {
                    return;
                };
                let mut body = Vec::new();
                request.as_reader().read_to_end(&mut body).unwrap();
                let record = Received {
                    method: request.method().to_string(),
                    target: request.url().to_owned(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|header| {
                            (
                                header.field.as_str().as_str().to_ascii_lowercase(),
                                header.value.as_str().to_owned(),
                            )
                        })
                        .collect(),
                    body,
                };
                let _ = sender.send(record);
                thread::sleep(reply.delay);
                let mut response =
                    tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
                for (name, value) in reply.headers {
                    response.add_header(
                        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(response);
            }
        });
        TestServer {
            base_url: format!("http://127.0.0.1:{port}/"),
            received,
        }
    }

    /// The next request the server got, waiting briefly for it.
    pub fn next(&self) -> Received {
        self.received
            .recv_timeout(Duration::from_secs(10))
            .expect("the server received a request")
    }

    /// Whether the server got no (further) request.
    pub fn got_nothing(&self) -> bool {
        self.received
            .recv_timeout(Duration::from_millis(50))
            .is_err()
    }
}

/// A client builder pointed at `server`, with a static token and quick retries (at most 10 ms
/// apart), so retrying tests stay fast.
pub fn builder(server: &TestServer) -> google_dataportability_v1::runtime::ClientBuilder {
    google_dataportability_v1::Client::builder()
        .root_url(&server.base_url)
        .token_source(google_dataportability_v1::runtime::StaticToken::new(
            "ya29.secret-token",
        ))
        .retry_policy(
            google_dataportability_v1::runtime::RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(10)),
        )
}

/// The Data Portability API on a client of kind `M` pointed at `server` that never retries, for
/// tests of single exchanges.
pub fn client<M: crate::modes::Mode>(
    server: &TestServer,
) -> google_dataportability_v1::DataPortability<M> {
    api(M::build(builder(server).retry_policy(
        google_dataportability_v1::runtime::RetryPolicy::disabled(),
    )))
}

/// The Data Portability API on `client`.
pub fn api<M: google_dataportability_v1::runtime::Backend>(
    client: M,
) -> google_dataportability_v1::DataPortability<M> {
    google_dataportability_v1::DataPortability::new(&client)
}
