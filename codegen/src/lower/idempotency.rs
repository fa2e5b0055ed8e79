//! Which methods take an idempotency key the client may fill: the `requestId` rule.
//!
//! Many Google APIs (compute's 492 methods among them) take an optional `requestId` query
//! parameter: "Specify a unique request ID so that if you must retry your request, the server
//! will know to ignore the request if it has already been completed". A client that fills one
//! in, and keeps it across retries, may retry such a call like an idempotent one (AIP-4235 asks
//! clients to fill such fields).
//!
//! The rule: a method's parameter qualifies when it is named `requestId`, is an optional string
//! in the query, and either its own description says it is an idempotency key (it mentions
//! idempotency, a duplicate request, or a unique ID with retrying, ignoring or duplicates), or
//! another `requestId` of the same shape in the same document says so: an API uses the name for
//! one thing, and a few of compute's methods carry only the first sentence of the usual text.
//! A `requestId` that is numeric, required, or only described as being for debugging does not
//! qualify.

use discovery::{Document, Method, Schema};

/// The parameter's wire name.
pub(crate) const REQUEST_ID: &str = "requestId";

/// The rule, read once per document.
pub(crate) struct RequestIds {
    /// Whether one of the document's `requestId` parameters is described as an idempotency key.
    document_says: bool,
}

impl RequestIds {
    /// Reads what `document` says about its `requestId` parameters.
    pub(crate) fn of(document: &Document) -> Self {
        let document_says = document.every_method().iter().any(|entry| {
            shaped_key(entry.method)
                .is_some_and(|schema| says_idempotent(schema.description.as_deref()))
        });
        RequestIds { document_says }
    }

    /// The wire name of `method`'s idempotency key, when it has one.
    pub(crate) fn key_of(&self, method: &Method) -> Option<&'static str> {
        let schema = shaped_key(method)?;
        (self.document_says || says_idempotent(schema.description.as_deref())).then_some(REQUEST_ID)
    }
}

/// `method`'s `requestId`, when it is an optional, single string in the query.
fn shaped_key(method: &Method) -> Option<&Schema> {
    method.parameters.get(REQUEST_ID).filter(|schema| {
        schema.location.as_deref() == Some("query")
            && schema.type_.as_deref() == Some("string")
            && !schema.required
            && !schema.repeated
            // A number spelled as a string is not a key the client could make up.
            && !matches!(schema.format.as_deref(), Some("int64" | "uint64" | "int32" | "uint32"))
    })
}

/// Whether a parameter's description says the server uses it to recognise a repeated request.
fn says_idempotent(description: Option<&str>) -> bool {
    let text = description.unwrap_or_default().to_ascii_lowercase();
    text.contains("idempot")
        || text.contains("duplicate request")
        || (text.contains("unique")
            && ["retry", "ignore", "duplicate"]
                .iter()
                .any(|word| text.contains(word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(descriptions: &[(&str, &str, bool)]) -> Document {
        let methods = descriptions
            .iter()
            .map(|(name, description, required)| {
                serde_json::json!([name, {
                    "id": format!("api.{name}"),
                    "path": "v1/x",
                    "httpMethod": "POST",
                    "parameters": {"requestId": {
                        "type": "string", "location": "query",
                        "description": description, "required": required
                    }}
                }])
            })
            .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].clone()))
            .collect::<serde_json::Map<_, _>>();
        serde_json::from_value(serde_json::json!({
            "name": "api", "version": "v1", "rootUrl": "https://api.example/", "servicePath": "",
            "methods": methods
        }))
        .unwrap()
    }

    fn keys(document: &Document) -> Vec<(String, bool)> {
        let rule = RequestIds::of(document);
        document
            .methods
            .iter()
            .map(|(name, method)| (name.clone(), rule.key_of(method).is_some()))
            .collect()
    }

    #[test]
    fn an_idempotency_key_is_recognised_by_its_description() {
        let compute = "An optional request ID to identify requests. Specify a unique request \
                       ID so that if you must retry your request, the server will know to \
                       ignore the request if it has already been completed.";
        let document = document(&[
            ("insert", compute, false),
            (
                "patch",
                "An optional request ID to identify requests.",
                false,
            ),
            ("create", compute, true),
        ]);
        // The short text qualifies beside the full one; a required key is the caller's.
        assert_eq!(
            keys(&document),
            [
                ("create".to_owned(), false),
                ("insert".to_owned(), true),
                ("patch".to_owned(), true)
            ]
        );
    }

    #[test]
    fn other_request_ids_do_not_qualify() {
        let document = document(&[
            ("sync", "Request ID used for debugging.", false),
            (
                "submit",
                "An optional request ID to identify requests.",
                false,
            ),
        ]);
        assert!(keys(&document).iter().all(|(_, key)| !key));
        for text in [
            "Optional. Idempotent request UUID.",
            "A unique ID used to identify the request. If the service receives two requests \
             with the same request_id, the second request is ignored",
            "This value is used to identify duplicate requests.",
        ] {
            assert!(says_idempotent(Some(text)), "{text}");
        }
    }
}
