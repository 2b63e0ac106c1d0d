//! The API document's finishing, done once over the document the handlers' annotations
//! generate ([`finished`]), for what utoipa's attributes cannot say or say per handler only:
//!
//! - every operation a unique `operationId` from its method and path (`post_tenders_id_publish`);
//! - every response a description, and problem documents as `application/problem+json`, the
//!   media type they are sent with;
//! - optional query parameters as the values they take (a query string has no `null`);
//! - OpenAPI links from each resource's create, changes and lists to the operations on it
//!   ([`RESOURCES`]), so that a client — or a fuzzer — can follow an id from the answer that
//!   gave it to the reads and transitions it names.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;

mod links;

use links::links;
pub use links::{RESOURCES, Resource};

/// Where [`RESOURCES`]' paths live.
const PREFIX: &str = "/api/v1";

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The finished document, as served (see the module's comment). It is finished as JSON:
/// utoipa's types cannot read back all the JSON they write.
pub fn finished(api: &OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    finish(&mut doc);
    doc
}

/// The finishing of a document, as JSON.
pub fn finish(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                op.insert("operationId".into(), operation_id(method, path).into());
                responses(op);
                query_parameters(op);
                optional_body(op);
            }
        }
    }
    links(paths);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, rules) in rules_between_fields() {
            if let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) {
                schema.insert("allOf".into(), rules);
            }
        }
    }
}

/// The rules between a body's fields that the services check and JSON Schema can state
/// (`if`/`then`), by the schema they belong to. (Rules between values — an end after a start, a
/// date inside a period — it cannot.)
fn rules_between_fields() -> Vec<(&'static str, Value)> {
    use entity::rules::vocab::{Comparator, OrgStatus, Qualification, Role};
    let present = |field: &str| json!({ "required": [field], "properties": { field: { "not": { "type": "null" } } } });
    let absent = |field: &str| json!({ "properties": { field: { "type": "null" } } });
    let given = |field: &str, text_rule: &str| json!({ "required": [field], "properties": { field: { "$ref": format!("#/components/schemas/{text_rule}") } } });
    let role_is = |roles: &[Role]| json!({ "required": ["role"], "properties": { "role": { "enum": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() } } });
    // `users::check_links`, `check_approver` and `update_user`: a finance officer belongs to a
    // purchaser, organisation staff to an organisation, nobody else to either; only a finance
    // officer approves. A change naming a party or approving names the role too.
    let user = json!([
        { "if": role_is(&[Role::FinanceOfficer]), "then": { "allOf": [present("purchaser_id"), absent("organisation_id")] } },
        { "if": role_is(&[Role::Organisation]), "then": { "allOf": [present("organisation_id"), absent("purchaser_id")] } },
        { "if": role_is(&[Role::Admin, Role::Supervisor]), "then": { "allOf": [absent("purchaser_id"), absent("organisation_id")] } },
        { "if": present("purchaser_id"), "then": role_is(&[Role::FinanceOfficer]) },
        { "if": present("organisation_id"), "then": role_is(&[Role::Organisation]) },
        { "if": { "required": ["approver"], "properties": { "approver": { "const": true } } },
          "then": role_is(&[Role::FinanceOfficer]) },
    ]);
    // `parties::check_status`: a suspension or blacklisting says why.
    let suspended: Vec<&str> = OrgStatus::ALL
        .iter()
        .filter(|s| **s != OrgStatus::Active)
        .map(|s| s.as_str())
        .collect();
    let organisation = json!([{
        "if": { "required": ["status"], "properties": { "status": { "enum": suspended } } },
        "then": given("status_reason", "ReasonText"),
    }]);
    // `budget::update`: a new amount says why.
    let budget_line = json!([{ "if": present("amount"), "then": given("reason", "ReasonText") }]);
    // `posts::assign`: a qualified worker has a certificate.
    let assignment = json!([{
        "if": { "properties": { "qualification": { "not": { "const": Qualification::None.as_str() } } } },
        "then": given("certificate_no", "CodeText"),
    }]);
    // `indicators::check_indicator`: an `at_least` target is above zero.
    let indicator = json!([{
        "if": { "required": ["comparator"], "properties": { "comparator": { "const": Comparator::AtLeast.as_str() } } },
        "then": { "properties": { "target": { "exclusiveMinimum": 0 } } },
    }]);
    // `contracts::amend`: an amendment changes the value, the end date, or both.
    let amendment = json!([{ "anyOf": [present("value"), present("end_date")] }]);
    vec![
        ("NewIndicator", indicator.clone()),
        ("IndicatorPatch", indicator),
        ("NewAmendment", amendment),
        ("NewUser", user.clone()),
        ("UserPatch", user),
        ("NewOrganisation", organisation.clone()),
        ("OrganisationPatch", organisation),
        ("BudgetLinePatch", budget_line),
        ("NewAssignment", assignment),
    ]
}

/// An operation's id: its method and its path's words (`post_tenders_id_publish`).
pub fn operation_id(method: &str, path: &str) -> String {
    let words = path
        .strip_prefix(PREFIX)
        .unwrap_or(path)
        .split('/')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(['{', '}']).replace('-', "_"));
    std::iter::once(method.to_string())
        .chain(words)
        .collect::<Vec<_>>()
        .join("_")
}

/// Describes each response by its status where the handler did not, and gives problem
/// documents their media type.
fn responses(op: &mut Map<String, Value>) {
    let Some(all) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (status, response) in all.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if response
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            let reason = status
                .parse::<u16>()
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("The answer");
            response.insert("description".into(), reason.into());
        }
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
            && content
                .get("application/json")
                .and_then(|c| c.pointer("/schema/$ref"))
                .and_then(Value::as_str)
                == Some("#/components/schemas/Problem")
            && let Some(problem) = content.remove("application/json")
        {
            content.insert("application/problem+json".into(), problem);
        }
    }
}

/// An optional body (`request_body = Option<T>`, e.g. an acceptance's `{comment}`) is sent or
/// left out, never sent as `null`: utoipa's `null` alternative goes, and the body is marked
/// not required.
fn optional_body(op: &mut Map<String, Value>) {
    let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) else {
        return;
    };
    let mut optional = false;
    for media in body
        .get_mut("content")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|c| c.values_mut())
    {
        if let Some(schema) = media.get_mut("schema") {
            let nullable = schema
                .get("oneOf")
                .and_then(Value::as_array)
                .is_some_and(|one| one.iter().any(|s| s["type"] == "null"));
            if nullable {
                drop_null(schema);
                optional = true;
            }
        }
    }
    if optional {
        body.insert("required".into(), false.into());
    }
}

/// An optional query parameter is absent or has a value: a query string has no `null`, so the
/// `null` utoipa allows for an `Option` goes.
fn query_parameters(op: &mut Map<String, Value>) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for p in params.iter_mut() {
        if p.get("in").and_then(Value::as_str) != Some("query") {
            continue;
        }
        if let Some(schema) = p.get_mut("schema") {
            drop_null(schema);
        }
    }
}

/// `schema` without its `null` alternative.
fn drop_null(schema: &mut Value) {
    let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            schema["type"] = only;
        }
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        let rest: Vec<&Value> = one_of.iter().filter(|s| !is_null(s)).collect();
        if let [only] = rest.as_slice() {
            let mut only = (*only).clone();
            if let (Some(fields), Some(d)) = (only.as_object_mut(), schema.get("description")) {
                fields.insert("description".into(), d.clone());
            }
            *schema = only;
        }
    }
}
