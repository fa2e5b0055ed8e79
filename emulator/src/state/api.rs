//! The six methods of the Data Portability API, with Google's errors.

use serde_json::{Value, json};

use super::{
    Job, JobState, MAX_RETRIES, Reply, Request, SCOPE_PREFIX, State, TIME_BASED_INTERVAL, form,
    invalid, not_found, optional_time, rfc3339, unix, unknown_fields,
};
use crate::archive::{self, URL_LIFETIME_SECONDS};
use crate::config::AccessType;

impl State {
    pub(super) fn api(&mut self, request: &Request, path: &[&str]) -> Reply {
        let grant = match self.authenticate(request) {
            Ok(grant) => grant,
            Err(reply) => return reply,
        };
        let body = if request.body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(value @ Value::Object(_)) => value,
                _ => return invalid("The request body is not a JSON object."),
            }
        };
        match (request.method.as_str(), path) {
            ("POST", ["portabilityArchive:initiate"]) => self.initiate(grant, &body),
            ("GET", ["archiveJobs", job, "portabilityArchiveState"]) => self.get_state(grant, job),
            ("POST", ["archiveJobs", action]) => match action.rsplit_once(':') {
                Some((job, "retry")) => self.retry(grant, job, &body),
                Some((job, "cancel")) => self.cancel(grant, job, &body),
                _ => not_found(),
            },
            ("POST", ["authorization:reset"]) => self.reset(grant, &body),
            ("POST", ["accessType:check"]) => self.check(grant, &body),
            _ => not_found(),
        }
    }

    /// The grant behind the request's access token, from `Authorization: Bearer` or the
    /// `access_token` query parameter. As Google does, a request without credentials and one
    /// with a bad token are both 401 with `WWW-Authenticate`, told apart by message, reason and
    /// the `error="invalid_token"` of the header.
    fn authenticate(&self, request: &Request) -> Result<usize, Reply> {
        let header_token = request
            .authorization
            .as_deref()
            .map(|value| value.strip_prefix("Bearer ").unwrap_or_default());
        let query = form(&request.query);
        let token = header_token.or_else(|| query.get("access_token").map(String::as_str));
        let Some(token) = token else {
            return Err(Reply::error(
                401,
                "UNAUTHENTICATED",
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                Some("CREDENTIALS_MISSING"),
            )
            .with_header(
                "www-authenticate",
                r#"Bearer realm="https://accounts.google.com/""#.to_owned(),
            ));
        };
        let invalid_token = || {
            Reply::error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                Some("ACCESS_TOKEN_TYPE_UNSUPPORTED"),
            )
            .with_header(
                "www-authenticate",
                r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#.to_owned(),
            )
        };
        let known = self.tokens.get(token).ok_or_else(invalid_token)?;
        if known.expires_at <= self.clock.now() {
            return Err(invalid_token());
        }
        Ok(known.grant)
    }

    fn initiate(&mut self, grant_index: usize, body: &Value) -> Reply {
        if let Some(reply) = unknown_fields(body, &["resources", "startTime", "endTime"]) {
            return reply;
        }
        let Some(resources) = body["resources"].as_array().filter(|list| !list.is_empty()) else {
            return invalid("resources must name at least one resource.");
        };
        let mut requested = Vec::new();
        for resource in resources {
            let Some(resource) = resource.as_str() else {
                return invalid("resources must be strings.");
            };
            if !requested.contains(&resource.to_owned()) {
                requested.push(resource.to_owned());
            }
        }
        let now = self.clock.now();
        let start = match optional_time(body, "startTime", now) {
            Ok(time) => time,
            Err(reply) => return reply,
        };
        let end = match optional_time(body, "endTime", now) {
            Ok(time) => time,
            Err(reply) => return reply,
        };
        if let (Some((start, _)), Some((end, _))) = (&start, &end)
            && start >= end
        {
            return invalid("startTime must be before endTime.");
        }
        if let Some(unknown) = requested.iter().find(|r| !crate::resources::is_known(r)) {
            return invalid(&format!(
                "Invalid resource {unknown:?}: it is not a Data Portability resource."
            ));
        }
        let grant = &self.grants[grant_index];
        if let Some(missing) = requested.iter().find(|r| !grant.resources.contains(*r)) {
            return Reply::error(
                403,
                "PERMISSION_DENIED",
                &format!(
                    "The caller does not have permission for resource {missing}: its scope {SCOPE_PREFIX}{missing} was not granted."
                ),
                Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
            );
        }
        match grant.access_type {
            AccessType::OneTime => {
                if let Some(used) = requested.iter().find(|r| self.exhausted.contains(*r)) {
                    return Reply::error(
                        429,
                        "RESOURCE_EXHAUSTED",
                        &format!(
                            "The one-time grant for {used} has been used; reset the authorization and ask for consent again."
                        ),
                        Some("RESOURCE_EXHAUSTED_ONE_TIME"),
                    );
                }
            }
            AccessType::TimeBased => {
                let recent = requested.iter().find(|r| {
                    self.last_export.get(*r).is_some_and(|at| {
                        now.duration_since(*at).unwrap_or_default() < TIME_BASED_INTERVAL
                    })
                });
                if let Some(recent) = recent {
                    return Reply::error(
                        400,
                        "FAILED_PRECONDITION",
                        &format!("{recent} was exported less than 24 hours ago."),
                        Some("TIME_BASED_INTERVAL_NOT_ELAPSED"),
                    );
                }
            }
        }
        let access_type = grant.access_type;
        for resource in &requested {
            if access_type == AccessType::OneTime {
                self.exhausted.insert(resource.clone());
            }
            self.last_export.insert(resource.clone(), now);
        }
        let export_time = end.map_or_else(|| rfc3339(now), |(_, text)| text);
        let job = self.create_job(
            grant_index,
            requested,
            start.map(|(_, text)| text),
            export_time,
            0,
        );
        Reply::json(
            200,
            json!({"archiveJobId": job, "accessType": access_type.wire()}),
        )
    }

    fn create_job(
        &mut self,
        grant: usize,
        resources: Vec<String>,
        start_time: Option<String>,
        export_time: String,
        retries: u32,
    ) -> String {
        let id = self.new_id("");
        let will_fail = self.fail_next > 0;
        self.fail_next = self.fail_next.saturating_sub(1);
        self.stats.jobs_created += 1;
        self.jobs.insert(
            id.clone(),
            Job {
                grant,
                resources,
                state: JobState::InProgress,
                polls: 0,
                created: self.clock.now(),
                start_time,
                export_time,
                retries,
                will_fail,
            },
        );
        id
    }

    /// The job, if it exists and belongs to the caller's grant (others' jobs do not exist).
    fn job_mut(&mut self, grant: usize, id: &str) -> Result<&mut Job, Reply> {
        match self.jobs.get_mut(id) {
            Some(job) if job.grant == grant => Ok(job),
            _ => Err(Reply::error(
                404,
                "NOT_FOUND",
                &format!("Archive job archiveJobs/{id} was not found."),
                None,
            )),
        }
    }

    fn get_state(&mut self, grant: usize, id: &str) -> Reply {
        let now = self.clock.now();
        let (complete_after_polls, complete_after) =
            (self.config.complete_after_polls, self.config.complete_after);
        let job = match self.job_mut(grant, id) {
            Ok(job) => job,
            Err(reply) => return reply,
        };
        job.polls += 1;
        let waited = now.duration_since(job.created).unwrap_or_default();
        if job.state == JobState::InProgress
            && (job.polls >= complete_after_polls || waited >= complete_after)
        {
            job.state = if job.will_fail {
                JobState::Failed
            } else {
                JobState::Complete
            };
        }
        let job = job.clone();
        let mut state = json!({
            "name": format!("archiveJobs/{id}/portabilityArchiveState"),
            "state": job.state.wire(),
            "exportTime": job.export_time,
        });
        if let Some(start) = &job.start_time {
            state["startTime"] = json!(start);
        }
        if job.state == JobState::Complete {
            let expires = if self.expire_next > 0 {
                self.expire_next -= 1;
                unix(now)
            } else {
                unix(now) + URL_LIFETIME_SECONDS
            };
            let mut urls = Vec::new();
            for resource in &job.resources {
                let key = (id.to_owned(), resource.clone());
                if !self.archives.contains_key(&key) {
                    let zip = archive::build_zip(
                        id,
                        resource,
                        &job.export_time,
                        self.config.seed,
                        self.config.archive_bytes,
                    );
                    self.archives.insert(key, zip);
                }
                let path = format!("/download/{id}/{resource}.zip");
                let signature = archive::sign(&self.key, &path, expires);
                urls.push(format!(
                    "{}{}?expires={expires}&signature={signature}",
                    self.base_url,
                    &path[1..]
                ));
            }
            state["urls"] = json!(urls);
        }
        Reply::json(200, state)
    }

    fn retry(&mut self, grant: usize, id: &str, body: &Value) -> Reply {
        if let Some(reply) = unknown_fields(body, &[]) {
            return reply;
        }
        let job = match self.job_mut(grant, id) {
            Ok(job) => job.clone(),
            Err(reply) => return reply,
        };
        if job.state != JobState::Failed {
            return Reply::error(
                400,
                "FAILED_PRECONDITION",
                &format!(
                    "Only a failed job can be retried; this one is {}.",
                    job.state.wire()
                ),
                None,
            );
        }
        if job.retries >= MAX_RETRIES {
            return Reply::error(
                400,
                "FAILED_PRECONDITION",
                "This job has been retried the most times allowed (3).",
                Some("RETRY_LIMIT_REACHED"),
            );
        }
        let new = self.create_job(
            grant,
            job.resources,
            job.start_time,
            job.export_time,
            job.retries + 1,
        );
        Reply::json(200, json!({"archiveJobId": new}))
    }

    fn cancel(&mut self, grant: usize, id: &str, body: &Value) -> Reply {
        if let Some(reply) = unknown_fields(body, &[]) {
            return reply;
        }
        let job = match self.job_mut(grant, id) {
            Ok(job) => job,
            Err(reply) => return reply,
        };
        if job.state != JobState::InProgress {
            return Reply::error(
                400,
                "FAILED_PRECONDITION",
                &format!(
                    "Only a job in progress can be cancelled; this one is {}.",
                    job.state.wire()
                ),
                None,
            );
        }
        job.state = JobState::Cancelled;
        Reply::json(200, json!({}))
    }

    fn reset(&mut self, grant: usize, body: &Value) -> Reply {
        if let Some(reply) = unknown_fields(body, &[]) {
            return reply;
        }
        // The grant's tokens are revoked, and the user's used-up resources can be exported again
        // after a new consent.
        self.tokens.retain(|_, token| token.grant != grant);
        self.refresh_tokens.retain(|_, owner| *owner != grant);
        self.exhausted.clear();
        self.last_export.clear();
        Reply::json(200, json!({}))
    }

    fn check(&mut self, grant: usize, body: &Value) -> Reply {
        if let Some(reply) = unknown_fields(body, &[]) {
            return reply;
        }
        let grant = &self.grants[grant];
        let resources: Vec<&String> = grant.resources.iter().collect();
        Reply::json(
            200,
            match grant.access_type {
                AccessType::OneTime => json!({"oneTimeResources": resources}),
                AccessType::TimeBased => json!({"timeBasedResources": resources}),
            },
        )
    }
}
