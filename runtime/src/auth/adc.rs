//! Application Default Credentials: where to look, in the order Google's libraries look, and
//! why each place had nothing.

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::path::PathBuf;
use std::time::Duration;

use crate::Error;

/// The address Google's libraries probe for the metadata server, which needs no name lookup.
const METADATA_IP: &str = "169.254.169.254";
/// How long the probe waits to connect, and then for the answer.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);
/// Probes made before the metadata server is taken to be absent.
const PROBES: usize = 2;

/// Reads one environment variable.
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// The environment variables the search reads.
pub(super) struct Environment {
    variable: Lookup,
}

impl Environment {
    /// This process's environment.
    pub(super) fn of_process() -> Environment {
        Environment {
            variable: Box::new(|name| std::env::var(name).ok()),
        }
    }

    /// A variable's value, when set and not blank.
    fn get(&self, name: &str) -> Option<String> {
        (self.variable)(name).filter(|value| !value.trim().is_empty())
    }
}

/// Where credentials were found.
pub(super) enum Found {
    /// A file, and what named it.
    File(PathBuf, &'static str),
    MetadataServer,
}

/// Looks in order; the error lists every look.
pub(super) fn find(environment: &Environment) -> Result<Found, Error> {
    let mut looked = Vec::new();
    match environment.get("GOOGLE_APPLICATION_CREDENTIALS") {
        // Named on purpose: it must be used, or the mistake reported.
        Some(path) => {
            return Ok(Found::File(
                PathBuf::from(path),
                "GOOGLE_APPLICATION_CREDENTIALS file",
            ));
        }
        None => looked.push("GOOGLE_APPLICATION_CREDENTIALS is not set".to_owned()),
    }
    match well_known_file(environment) {
        Some(path) if path.is_file() => return Ok(Found::File(path, "gcloud's credentials file")),
        Some(path) => looked.push(format!("gcloud's file {} does not exist", path.display())),
        None => looked.push(
            "gcloud's file has no place: neither CLOUDSDK_CONFIG nor HOME (APPDATA on Windows) \
             is set"
                .to_owned(),
        ),
    }
    let probed = probe_target(environment);
    match probe_metadata_server(&probed) {
        Ok(()) => return Ok(Found::MetadataServer),
        Err(why) => looked.push(format!("the metadata server at {probed} {why}")),
    }
    Err(Error::Auth {
        message: format!(
            "no Application Default Credentials found: {}. Set GOOGLE_APPLICATION_CREDENTIALS \
             to a credentials file, or run `gcloud auth application-default login`",
            looked.join("; ")
        ),
    })
}

/// gcloud's `application_default_credentials.json`, where this environment puts it.
fn well_known_file(environment: &Environment) -> Option<PathBuf> {
    const FILE: &str = "application_default_credentials.json";
    if let Some(config) = environment.get("CLOUDSDK_CONFIG") {
        return Some(PathBuf::from(config).join(FILE));
    }
    if cfg!(windows) {
        environment
            .get("APPDATA")
            .map(|folder| PathBuf::from(folder).join("gcloud").join(FILE))
    } else {
        environment.get("HOME").map(|home| {
            PathBuf::from(home)
                .join(".config")
                .join("gcloud")
                .join(FILE)
        })
    }
}

/// Where the probe goes: `GCE_METADATA_HOST` when set (the server the tokens would come from),
/// else `GCE_METADATA_IP`, else Google's fixed address.
fn probe_target(environment: &Environment) -> String {
    environment
        .get("GCE_METADATA_HOST")
        .or_else(|| environment.get("GCE_METADATA_IP"))
        .map(|host| host.trim().to_owned())
        .unwrap_or_else(|| METADATA_IP.to_owned())
}

/// Whether a metadata server answers at `host` (`name` or `name:port`): an HTTP answer with
/// `Metadata-Flavor: Google`. A plain socket rather than the client's HTTP stack, so that it
/// can be called anywhere, an async task included, without a runtime. Why not, otherwise.
fn probe_metadata_server(host: &str) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..PROBES {
        match probe_once(host) {
            Ok(()) => return Ok(()),
            Err(why) => last = why,
        }
    }
    Err(last)
}

fn probe_once(host: &str) -> Result<(), String> {
    let with_port = if host
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
    {
        host.to_owned()
    } else {
        format!("{host}:80")
    };
    let addresses: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|error| format!("has no address ({error})"))?
        .collect();
    let address = addresses.first().ok_or("has no address")?;
    let mut stream = TcpStream::connect_timeout(address, PROBE_TIMEOUT)
        .map_err(|error| format!("did not answer ({error})"))?;
    let _ = stream.set_read_timeout(Some(PROBE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(PROBE_TIMEOUT));
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nMetadata-Flavor: Google\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|error| format!("did not take the request ({error})"))?;
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
            Err(error) => return Err(format!("did not answer in time ({error})")),
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let google = head.lines().any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim() == "metadata-flavor" && value.trim() == "google"
        })
    });
    if google {
        Ok(())
    } else {
        Err("answered without `Metadata-Flavor: Google`".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn environment(pairs: &'static [(&'static str, &'static str)]) -> Environment {
        Environment {
            variable: Box::new(move |name| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }),
        }
    }

    #[test]
    fn the_named_file_comes_first_and_gclouds_file_follows_its_config() {
        let found = find(&environment(&[(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "/keys/sa.json",
        )]));
        assert!(matches!(found, Ok(Found::File(path, _)) if path == Path::new("/keys/sa.json")));
        assert_eq!(
            well_known_file(&environment(&[
                ("CLOUDSDK_CONFIG", "/config"),
                ("HOME", "/home/u")
            ])),
            Some(PathBuf::from(
                "/config/application_default_credentials.json"
            ))
        );
        assert_eq!(
            probe_target(&environment(&[("GCE_METADATA_IP", "127.0.0.1:1")])),
            "127.0.0.1:1"
        );
    }
}
