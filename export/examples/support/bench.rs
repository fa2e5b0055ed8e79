//! What the request benchmarks share: the job they ask about, the hand-written side's answer
//! type, and the median of their runs.

use google_dataportability_v1::DataPortability;
use google_dataportability_v1::model::InitiatePortabilityArchiveRequest;

/// An error of a benchmark, from any thread.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// What a hand-written program decodes the answer into.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // decoded to be paid for, not read
pub struct HandState {
    name: Option<String>,
    state: Option<String>,
    urls: Option<Vec<String>>,
    start_time: Option<String>,
    export_time: Option<String>,
}

/// The state name of the job to ask about: the runner's (`JOB_NAME`: a grant allows one
/// export, and `cargo xtask bench --overhead` runs several programs), else one started on `api`.
pub fn job_name(api: &DataPortability) -> Result<String, Failure> {
    if let Ok(name) = std::env::var("JOB_NAME") {
        return Ok(name);
    }
    let job = api
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest::default().set_resources(["myactivity.search"]))
        .send()?;
    Ok(format!(
        "archiveJobs/{}/portabilityArchiveState",
        job.archive_job_id.unwrap_or_default()
    ))
}

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
