//! Wire round trips of the generated Data Portability types on sample JSON.

use google_dataportability_v1::model::{
    CheckAccessTypeResponse, InitiatePortabilityArchiveRequest, InitiatePortabilityArchiveResponse,
    PortabilityArchiveState, initiate_portability_archive_response, portability_archive_state,
};
use google_dataportability_v1::runtime::Timestamp;
use serde_json::{Value, json};

/// Decodes `input` as `T`, checks it with `inspect`, and checks it encodes back to `input`.
fn round_trip<T>(input: Value, inspect: impl FnOnce(&T))
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let value: T = serde_json::from_value(input.clone()).unwrap();
    inspect(&value);
    assert_eq!(serde_json::to_value(&value).unwrap(), input);
}

#[test]
fn archive_state_round_trips_with_timestamps_of_every_precision() {
    for (wire, seconds, nanos) in [
        ("2026-07-19T10:20:30Z", 1_784_456_430, 0),
        ("2026-07-19T10:20:30.120Z", 1_784_456_430, 120_000_000),
        ("2026-07-19T10:20:30.123456Z", 1_784_456_430, 123_456_000),
        ("2026-07-19T10:20:30.123456789Z", 1_784_456_430, 123_456_789),
    ] {
        round_trip::<PortabilityArchiveState>(
            json!({
                "name": "archiveJobs/j1/portabilityArchiveState",
                "state": "IN_PROGRESS",
                "urls": [],
                "startTime": wire,
                "exportTime": wire
            }),
            |state| {
                let start = state.start_time.unwrap();
                assert_eq!(
                    (start.unix_seconds(), start.subsec_nanos()),
                    (seconds, nanos),
                    "{wire}"
                );
                assert_eq!(
                    state.state,
                    Some(portability_archive_state::State::InProgress)
                );
                assert_eq!(state.urls.as_deref(), Some(&[][..]));
            },
        );
    }
}

#[test]
fn timestamps_with_offsets_keep_them_and_equal_the_same_instant_in_utc() {
    let stamp: Timestamp = "2026-07-19T12:20:30.5+02:00".parse().unwrap();
    assert_eq!(stamp.to_string(), "2026-07-19T12:20:30.500+02:00");
    let utc: Timestamp = "2026-07-19T10:20:30.500Z".parse().unwrap();
    assert_eq!(stamp, utc);
    assert_eq!(
        serde_json::to_value(stamp).unwrap(),
        json!("2026-07-19T12:20:30.500+02:00")
    );
    for bad in [
        "2026-07-19",
        "2026-13-01T00:00:00Z",
        "yesterday",
        "2026-07-19T10:20:30",
    ] {
        assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
    }
}

#[test]
fn unknown_enum_values_and_unknown_fields_are_kept() {
    round_trip::<PortabilityArchiveState>(
        json!({"state": "ARCHIVED_FOREVER", "newField": {"nested": [1, 2]}}),
        |state| {
            let unknown = state.state.as_ref().unwrap();
            assert_eq!(unknown.as_str(), "ARCHIVED_FOREVER");
            assert!(matches!(
                unknown,
                portability_archive_state::State::UnknownValue(_)
            ));
            assert_eq!(state.unknown_fields["newField"], json!({"nested": [1, 2]}));
        },
    );
    round_trip::<InitiatePortabilityArchiveResponse>(
        json!({"archiveJobId": "7", "accessType": "ACCESS_TYPE_TIME_BASED"}),
        |response| {
            assert_eq!(
                response.access_type,
                Some(initiate_portability_archive_response::AccessType::AccessTypeTimeBased)
            );
        },
    );
    // A known value is always its own variant, however it was made.
    assert_eq!(
        portability_archive_state::State::from("COMPLETE"),
        portability_archive_state::State::Complete
    );
}

#[test]
fn presence_is_preserved() {
    // Absent and empty are different, both ways.
    let empty: CheckAccessTypeResponse = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty.one_time_resources, None);
    let present: CheckAccessTypeResponse =
        serde_json::from_value(json!({"oneTimeResources": []})).unwrap();
    assert_eq!(present.one_time_resources, Some(vec![]));
    assert_eq!(serde_json::to_value(&empty).unwrap(), json!({}));
    assert_eq!(
        serde_json::to_value(&present).unwrap(),
        json!({"oneTimeResources": []})
    );
    // A null reads as absent.
    let null: CheckAccessTypeResponse =
        serde_json::from_value(json!({"oneTimeResources": null})).unwrap();
    assert_eq!(null.one_time_resources, None);
}

#[test]
fn request_builders_set_only_what_the_caller_set() {
    let request = InitiatePortabilityArchiveRequest::default()
        .set_resources(["myactivity.search"])
        .set_start_time(Timestamp::from_unix(1_700_000_000, 0).unwrap());
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"resources": ["myactivity.search"], "startTime": "2023-11-14T22:13:20Z"})
    );
}

#[test]
fn wrong_types_are_errors_not_panics() {
    let error = serde_json::from_value::<PortabilityArchiveState>(json!({"urls": "not a list"}))
        .unwrap_err();
    assert!(error.to_string().contains("invalid type"), "{error}");
    let error = serde_json::from_value::<PortabilityArchiveState>(json!({"startTime": "soon"}))
        .unwrap_err();
    assert!(
        error.to_string().contains("not a valid RFC 3339 timestamp"),
        "{error}"
    );
}

/// Objects are read in one pass from the bytes, as responses are: escaped keys still find their
/// field, a key given twice keeps its last value (as Go's and Python's decoders do), unknown
/// keys keep their values, and a value that is not an object says which type wanted one.
#[test]
fn objects_are_read_key_by_key_from_bytes() {
    let body = br#"{"na\u006de": "archiveJobs/a", "name": "archiveJobs/b",
        "state": "COMPLETE", "future": {"deep": [1, "two"]}, "urls": ["https://x/1"]}"#;
    let state: PortabilityArchiveState = serde_json::from_slice(body).unwrap();
    assert_eq!(state.name.as_deref(), Some("archiveJobs/b"));
    assert_eq!(
        state.state,
        Some(portability_archive_state::State::Complete)
    );
    assert_eq!(state.unknown_fields["future"], json!({"deep": [1, "two"]}));
    let escaped: PortabilityArchiveState =
        serde_json::from_slice(br#"{"na\u006de": "archiveJobs/c"}"#).unwrap();
    assert_eq!(escaped.name.as_deref(), Some("archiveJobs/c"));
    assert!(escaped.unknown_fields.is_empty());
    let error = serde_json::from_slice::<PortabilityArchiveState>(b"[1]").unwrap_err();
    assert!(
        error.to_string().contains("PortabilityArchiveState"),
        "{error}"
    );
}
