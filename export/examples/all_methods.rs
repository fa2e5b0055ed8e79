//! Calls each of the six Data Portability methods once, printing what comes back.
//!
//! ```sh
//! ACCESS_TOKEN=ya29... cargo run -p export --example all_methods
//! ROOT_URL=http://127.0.0.1:8080/ ACCESS_TOKEN=test cargo run -p export --example all_methods
//! ```
//!
//! It also serves as the "small program that calls all six methods" whose build time the
//! benchmarks report.

use google_dataportability_v1::model::InitiatePortabilityArchiveRequest;
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::StaticToken;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder =
        Client::builder().token_source(StaticToken::new(std::env::var("ACCESS_TOKEN")?));
    if let Ok(root_url) = std::env::var("ROOT_URL") {
        builder = builder.root_url(root_url);
    }
    let client = DataPortability::new(&builder.build()?);

    let access = client.access_type().check(Default::default()).send()?;
    println!("access type: {access:?}");

    let job = client
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest::default().set_resources(["myactivity.search"]))
        .send()?;
    let name = format!("archiveJobs/{}", job.archive_job_id.unwrap_or_default());
    println!("started {name}");

    let state = client
        .archive_jobs()
        .get_portability_archive_state(format!("{name}/portabilityArchiveState"))
        .send()?;
    println!("state: {:?}", state.state);

    // Cancelling works only while the job runs, retrying only once it failed: either may be
    // refused, and that refusal is part of what this program shows.
    match client
        .archive_jobs()
        .cancel(&name, Default::default())
        .send()
    {
        Ok(_) => println!("cancelled {name}"),
        Err(error) => println!("cancel refused: {error}"),
    }
    match client
        .archive_jobs()
        .retry(&name, Default::default())
        .send()
    {
        Ok(retried) => println!("retried as {:?}", retried.archive_job_id),
        Err(error) => println!("retry refused: {error}"),
    }

    client.authorization().reset(Default::default()).send()?;
    println!("authorization reset");
    Ok(())
}
