//! OpenAPI links: the table of resources ([`RESOURCES`]) and, from each operation that answers
//! with an id, the links to the operations on it, so that a client or a fuzzer can follow the id.

use serde_json::{Map, Value, json};

use super::{PREFIX, operation_id};

/// An operation: its method and its path (under `/api/v1`).
type Op = (&'static str, &'static str);

/// A kind of record and the operations that lead to one of its ids and act on it.
pub struct Resource {
    /// Operations answering 201 with a new one (`$response.body#/id`).
    pub creates: &'static [Op],
    /// Operations answering 200 with one (its changes and transitions).
    pub changes: &'static [Op],
    /// Lists of them: the first item's id leads on (`$response.body#/items/0/id`).
    pub lists: &'static [Op],
    /// The operations on one, by its id: the path's last parameter. A path's other parameters
    /// come from the request that led there (`$request.path.id`).
    pub on: &'static [Op],
}

/// Every resource an id leads to.
pub const RESOURCES: &[Resource] = &[
    Resource {
        creates: &[("post", "/purchasers")],
        changes: &[("patch", "/purchasers/{id}")],
        lists: &[("get", "/purchasers")],
        on: &[("get", "/purchasers/{id}"), ("patch", "/purchasers/{id}")],
    },
    Resource {
        creates: &[("post", "/organisations")],
        changes: &[("patch", "/organisations/{id}")],
        lists: &[("get", "/organisations")],
        on: &[
            ("get", "/organisations/{id}"),
            ("patch", "/organisations/{id}"),
        ],
    },
    Resource {
        creates: &[("post", "/users")],
        changes: &[("patch", "/users/{id}")],
        lists: &[("get", "/users")],
        on: &[("get", "/users/{id}"), ("patch", "/users/{id}")],
    },
    Resource {
        creates: &[("post", "/budget-lines")],
        changes: &[("patch", "/budget-lines/{id}")],
        lists: &[("get", "/budget-lines")],
        on: &[
            ("get", "/budget-lines/{id}"),
            ("patch", "/budget-lines/{id}"),
        ],
    },
    Resource {
        creates: &[("post", "/tenders")],
        changes: &[
            ("patch", "/tenders/{id}"),
            ("post", "/tenders/{id}/publish"),
            ("post", "/tenders/{id}/close"),
            ("post", "/tenders/{id}/cancel"),
            ("post", "/tenders/{id}/unsuccessful"),
        ],
        lists: &[("get", "/tenders")],
        on: &[
            ("get", "/tenders/{id}"),
            ("patch", "/tenders/{id}"),
            ("post", "/tenders/{id}/publish"),
            ("post", "/tenders/{id}/close"),
            ("post", "/tenders/{id}/cancel"),
            ("post", "/tenders/{id}/unsuccessful"),
            ("post", "/tenders/{id}/award"),
            ("get", "/tenders/{id}/bids"),
            ("post", "/tenders/{id}/bids"),
        ],
    },
    Resource {
        creates: &[("post", "/tenders/{id}/bids")],
        changes: &[("patch", "/bids/{id}")],
        lists: &[("get", "/tenders/{id}/bids")],
        on: &[("patch", "/bids/{id}")],
    },
    Resource {
        creates: &[("post", "/contracts"), ("post", "/tenders/{id}/award")],
        changes: &[
            ("patch", "/contracts/{id}"),
            ("post", "/contracts/{id}/sign"),
            ("post", "/contracts/{id}/cancel"),
            ("post", "/contracts/{id}/terminate"),
            ("post", "/contracts/{id}/complete"),
        ],
        lists: &[("get", "/contracts")],
        on: &[
            ("get", "/contracts/{id}"),
            ("patch", "/contracts/{id}"),
            ("post", "/contracts/{id}/sign"),
            ("post", "/contracts/{id}/cancel"),
            ("post", "/contracts/{id}/terminate"),
            ("post", "/contracts/{id}/complete"),
            ("get", "/contracts/{id}/amendments"),
            ("post", "/contracts/{id}/amendments"),
            ("get", "/contracts/{id}/milestones"),
            ("post", "/contracts/{id}/milestones"),
            ("get", "/contracts/{id}/indicators"),
            ("post", "/contracts/{id}/indicators"),
            ("get", "/contracts/{id}/posts"),
            ("post", "/contracts/{id}/posts"),
            ("get", "/contracts/{id}/payments"),
            ("post", "/contracts/{id}/payments"),
            ("get", "/contracts/{id}/payment-requests"),
            ("post", "/contracts/{id}/payment-requests"),
            ("get", "/contracts/{id}/findings"),
            ("post", "/contracts/{id}/findings"),
            ("get", "/contracts/{id}/performance"),
            ("get", "/contracts/{id}/post-funding"),
            ("get", "/contracts/{id}/dossier"),
        ],
    },
    Resource {
        creates: &[("post", "/contracts/{id}/milestones")],
        changes: &[
            ("patch", "/milestones/{id}"),
            ("post", "/milestones/{id}/accept"),
            ("post", "/milestones/{id}/reject"),
            ("post", "/milestones/{id}/cancel"),
        ],
        lists: &[("get", "/contracts/{id}/milestones")],
        on: &[
            ("get", "/milestones/{id}"),
            ("patch", "/milestones/{id}"),
            ("post", "/milestones/{id}/accept"),
            ("post", "/milestones/{id}/reject"),
            ("post", "/milestones/{id}/cancel"),
            ("get", "/milestones/{id}/reports"),
            ("post", "/milestones/{id}/reports"),
        ],
    },
    Resource {
        creates: &[("post", "/contracts/{id}/indicators")],
        changes: &[("patch", "/indicators/{id}")],
        lists: &[("get", "/contracts/{id}/indicators")],
        on: &[("get", "/indicators/{id}"), ("patch", "/indicators/{id}")],
    },
    Resource {
        creates: &[("post", "/contracts/{id}/posts")],
        changes: &[("patch", "/posts/{id}")],
        lists: &[("get", "/contracts/{id}/posts")],
        on: &[
            ("get", "/posts/{id}"),
            ("patch", "/posts/{id}"),
            ("get", "/posts/{id}/assignments"),
            ("post", "/posts/{id}/assignments"),
        ],
    },
    Resource {
        creates: &[("post", "/posts/{id}/assignments")],
        changes: &[],
        lists: &[("get", "/posts/{id}/assignments")],
        on: &[("post", "/posts/{id}/assignments/{aid}/end")],
    },
    Resource {
        creates: &[("post", "/contracts/{id}/payment-requests")],
        changes: &[
            ("patch", "/payment-requests/{id}"),
            ("post", "/payment-requests/{id}/verify"),
            ("post", "/payment-requests/{id}/approve"),
            ("post", "/payment-requests/{id}/return"),
            ("post", "/payment-requests/{id}/withdraw"),
        ],
        lists: &[
            ("get", "/payment-requests"),
            ("get", "/contracts/{id}/payment-requests"),
        ],
        on: &[
            ("get", "/payment-requests/{id}"),
            ("patch", "/payment-requests/{id}"),
            ("post", "/payment-requests/{id}/verify"),
            ("post", "/payment-requests/{id}/approve"),
            ("post", "/payment-requests/{id}/return"),
            ("post", "/payment-requests/{id}/withdraw"),
        ],
    },
    Resource {
        creates: &[("post", "/contracts/{id}/findings")],
        changes: &[
            ("post", "/findings/{id}/respond"),
            ("post", "/findings/{id}/resolve"),
        ],
        lists: &[("get", "/contracts/{id}/findings")],
        on: &[
            ("post", "/findings/{id}/respond"),
            ("post", "/findings/{id}/resolve"),
        ],
    },
    Resource {
        creates: &[],
        changes: &[("post", "/notifications/{id}/retry")],
        lists: &[("get", "/notifications")],
        on: &[("post", "/notifications/{id}/retry")],
    },
    Resource {
        creates: &[],
        changes: &[],
        lists: &[("get", "/public/notices")],
        on: &[("get", "/public/notices/{id}")],
    },
];

/// The links of [`RESOURCES`]: from each operation that answers with an id, to the operations
/// on it.
pub(super) fn links(paths: &mut Map<String, Value>) {
    for r in RESOURCES {
        let from = r
            .creates
            .iter()
            .map(|op| (op, "201", "$response.body#/id"))
            .chain(r.changes.iter().map(|op| (op, "200", "$response.body#/id")))
            .chain(
                r.lists
                    .iter()
                    .map(|op| (op, "200", "$response.body#/items/0/id")),
            );
        for (&(method, path), status, id) in from {
            let source = format!("{PREFIX}{path}");
            let mut found = Map::new();
            for &(to_method, to_path) in r.on {
                let target = format!("{PREFIX}{to_path}");
                if paths.get(&target).and_then(|i| i.get(to_method)).is_none() {
                    continue;
                }
                let parameters = link_parameters(&source, &target, id);
                let name = operation_id(to_method, &target);
                found.insert(
                    name.clone(),
                    json!({ "operationId": name, "parameters": parameters }),
                );
            }
            if let Some(response) = paths
                .get_mut(&source)
                .and_then(|i| i.get_mut(method))
                .and_then(|op| op.pointer_mut(&format!("/responses/{status}")))
                .and_then(Value::as_object_mut)
            {
                let links = response
                    .entry("links")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(links) = links.as_object_mut() {
                    links.extend(found);
                }
            }
        }
    }
}

/// A link's parameters: the target path's last parameter is the id the answer gave; any other
/// is the same parameter of the request that led there.
fn link_parameters(source: &str, target: &str, id: &str) -> Map<String, Value> {
    let names = |p: &str| -> Vec<String> {
        p.split('/')
            .filter_map(|w| w.strip_prefix('{').and_then(|w| w.strip_suffix('}')))
            .map(str::to_string)
            .collect()
    };
    let (had, wanted) = (names(source), names(target));
    let mut out = Map::new();
    for (i, name) in wanted.iter().enumerate() {
        let value = if i + 1 == wanted.len() {
            id.to_string()
        } else if had.contains(name) {
            format!("$request.path.{name}")
        } else {
            continue;
        };
        out.insert(name.clone(), value.into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation the table names exists, so no link points nowhere.
    #[test]
    fn every_linked_operation_is_served() {
        let (_, doc) = crate::routes::api();
        for r in RESOURCES {
            for &(method, path) in r.creates.iter().chain(r.changes).chain(r.lists).chain(r.on) {
                assert!(
                    doc["paths"][format!("{PREFIX}{path}")][method].is_object(),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn ids_and_parameters() {
        assert_eq!(
            operation_id("post", "/api/v1/tenders/{id}/publish"),
            "post_tenders_id_publish"
        );
        assert_eq!(operation_id("get", "/health"), "get_health");
        let p = link_parameters(
            "/api/v1/posts/{id}/assignments",
            "/api/v1/posts/{id}/assignments/{aid}/end",
            "$response.body#/id",
        );
        assert_eq!(
            Value::Object(p),
            json!({"id": "$request.path.id", "aid": "$response.body#/id"})
        );
    }
}
