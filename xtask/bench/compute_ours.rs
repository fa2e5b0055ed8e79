//! The benchmark's compute.v1 program for our crate: `instances.list`, `instances.get` and
//! `instances.insert`, the same calls as `compute_theirs.rs`. `cargo xtask bench --anchors`
//! only builds it.

use google_api_runtime::{Client, StaticToken};
use google_compute_v1::Compute;
use google_compute_v1::model::Instance;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .token_source(StaticToken::new(std::env::var("ACCESS_TOKEN")?))
        .build()?;
    let compute = Compute::new(&client);
    let mut names = Vec::new();
    for instance in compute.instances().list("project", "europe-west1-b").items() {
        names.extend(instance?.name);
    }
    let instance = compute
        .instances()
        .get("project", "europe-west1-b", "vm-1")
        .send()?;
    let operation = compute
        .instances()
        .insert(
            "project",
            "europe-west1-b",
            Instance::default()
                .set_name("vm-2")
                .set_machine_type("zones/europe-west1-b/machineTypes/e2-small"),
        )
        .send()?;
    println!("{} {:?} {:?}", names.len(), instance.status, operation.name);
    Ok(())
}
