//! The benchmark's compute.v1 program for google-compute1 6.0.0 (google-apis-rs):
//! `instances.list`, `instances.get` and `instances.insert`, as in `compute_ours.rs`.
//! `cargo xtask bench --anchors` only builds it.

use google_compute1::api::Instance;
use google_compute1::{Compute, hyper_rustls, hyper_util};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http2()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let hub = Compute::new(client, std::env::var("ACCESS_TOKEN")?);
    let mut names = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut call = hub.instances().list("project", "europe-west1-b");
        if let Some(token) = &page_token {
            call = call.page_token(token);
        }
        let (_, list) = call.doit().await?;
        names.extend(list.items.unwrap_or_default().into_iter().filter_map(|vm| vm.name));
        page_token = list.next_page_token;
        if page_token.is_none() {
            break;
        }
    }
    let (_, instance) = hub
        .instances()
        .get("project", "europe-west1-b", "vm-1")
        .doit()
        .await?;
    let request = Instance {
        name: Some("vm-2".to_owned()),
        machine_type: Some("zones/europe-west1-b/machineTypes/e2-small".to_owned()),
        ..Default::default()
    };
    let (_, operation) = hub
        .instances()
        .insert(request, "project", "europe-west1-b")
        .doit()
        .await?;
    println!("{} {:?} {:?}", names.len(), instance.status, operation.name);
    Ok(())
}
