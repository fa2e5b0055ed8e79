//! What a reader of a document asks of it as a whole, answered once, so the generator and the
//! drift report read the document the same way: the API's id, where requests go, every method,
//! every scope.

use std::collections::BTreeMap;

use crate::{Document, Method, Resource};

/// One method and where it sits: the resource keys that lead to it (empty at the top level)
/// and its own key.
#[derive(Debug, Clone)]
pub struct MethodEntry<'d> {
    /// The keys of the resources that hold it, outermost first.
    pub resources: Vec<&'d str>,
    /// Its key in its `methods` object.
    pub name: &'d str,
    /// The method.
    pub method: &'d Method,
}

impl Document {
    /// The API's id, `name:version`: as the document states it, else made from its name and
    /// version.
    pub fn api_id(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", self.name, self.version))
    }

    /// Where requests go: `rootUrl`, or else the older `baseUrl` (which includes the service
    /// path already); empty when the document gives neither.
    pub fn effective_root_url(&self) -> &str {
        if self.root_url.is_empty() {
            self.base_url.as_deref().unwrap_or_default()
        } else {
            &self.root_url
        }
    }

    /// The path below [`effective_root_url`](Self::effective_root_url) that method paths are
    /// relative to: `servicePath` with a `rootUrl`, nothing with a `baseUrl`.
    pub fn effective_service_path(&self) -> &str {
        if self.root_url.is_empty() {
            ""
        } else {
            &self.service_path
        }
    }

    /// Every method: the top-level ones, then each resource's and its nested resources',
    /// depth first, in key order.
    pub fn every_method(&self) -> Vec<MethodEntry<'_>> {
        fn walk<'d>(
            resources: &'d BTreeMap<String, Resource>,
            keys: &mut Vec<&'d str>,
            out: &mut Vec<MethodEntry<'d>>,
        ) {
            for (key, resource) in resources {
                keys.push(key);
                for (name, method) in &resource.methods {
                    out.push(MethodEntry {
                        resources: keys.clone(),
                        name,
                        method,
                    });
                }
                walk(&resource.resources, keys, out);
                keys.pop();
            }
        }
        let mut found: Vec<MethodEntry<'_>> = self
            .methods
            .iter()
            .map(|(name, method)| MethodEntry {
                resources: Vec::new(),
                name,
                method,
            })
            .collect();
        walk(&self.resources, &mut Vec::new(), &mut found);
        found
    }

    /// Every scope, by URL, with its description: those `auth.oauth2.scopes` declares, and any a
    /// method names without the document declaring it (with no description).
    pub fn scopes(&self) -> BTreeMap<String, String> {
        let mut scopes: BTreeMap<String, String> = self
            .auth
            .as_ref()
            .and_then(|auth| auth.oauth2.as_ref())
            .map(|oauth2| {
                oauth2
                    .scopes
                    .iter()
                    .map(|(url, info)| (url.clone(), info.description.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        for entry in self.every_method() {
            for url in &entry.method.scopes {
                scopes.entry(url.clone()).or_default();
            }
        }
        scopes
    }
}
