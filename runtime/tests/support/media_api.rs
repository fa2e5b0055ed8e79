//! The API the upload tests call: a media service whose `files.insert` takes uploads into a
//! folder, and the two upload descriptions they use (any content, or small images only).

#![allow(dead_code)]

use google_api_runtime::contract::{MethodInfo, ServiceInfo, UploadInfo};

pub static INFO: ServiceInfo = ServiceInfo {
    name: "media",
    version: "v1",
    revision: "1",
    root_url: "https://media.example.com/",
    service_path: "media/v1/",
    crate_agent: "media/0.1.0",
};

pub static INSERT: MethodInfo = MethodInfo {
    id: "media.files.insert",
    http_method: "POST",
    path: "folders/{folder}/files",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

pub static ANY: UploadInfo = UploadInfo {
    path: "upload/media/v1/folders/{folder}/files",
    accept: &["*/*"],
    max_size: None,
};

pub static IMAGES: UploadInfo = UploadInfo {
    path: "upload/media/v1/folders/{folder}/files",
    accept: &["image/*"],
    max_size: Some(1000),
};
