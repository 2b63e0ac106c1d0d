//! The API document states the rules the validation enforces, from the same constants (see
//! `backend::fields` and `entity::rules`), and links each create to the operations on what it
//! made: checked here through `/api/openapi.json` itself. `tests/contract/run` fuzzes the
//! whole document against a demo server.

use axum::http::Method;
use entity::rules::vocab::Role;
use serde_json::{Map, Value, json};
use tests::TestApp;

async fn document(app: &TestApp) -> Value {
    app.call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200)
        .body
}

/// The schema at a `$ref`, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            doc,
            doc.pointer(r.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
        ),
        None => schema,
    }
}

/// A value built from a schema's examples (the first enum word for a word list; every
/// property, for an object): what the document offers a client as a valid request.
fn from_examples(doc: &Value, schema: &Value) -> Value {
    let s = resolve(doc, schema);
    if let Some(example) = s["examples"].get(0) {
        return example.clone();
    }
    if let Some(word) = s["enum"].get(0) {
        return word.clone();
    }
    if let Some(one) = s["oneOf"].as_array() {
        let not_null = one.iter().find(|o| o["type"] != "null");
        return not_null.map_or(Value::Null, |o| from_examples(doc, o));
    }
    let Some(properties) = s["properties"].as_object() else {
        return Value::Null;
    };
    let mut out = Map::new();
    for (name, property) in properties {
        let value = from_examples(doc, property);
        if !value.is_null() {
            out.insert(name.clone(), value);
        }
    }
    Value::Object(out)
}

/// The request body schema of an operation.
fn body_schema<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
}

#[tokio::test]
async fn the_document_states_the_validators_rules() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["CreditCode"]["pattern"],
        entity::rules::codes::CREDIT_CODE_PATTERN
    );
    assert_eq!(schemas["CreditCode"]["format"], "credit-code");
    assert_eq!(
        schemas["DivisionCode"]["pattern"],
        entity::rules::codes::DIVISION_CODE_PATTERN
    );
    assert_eq!(schemas["Money"]["pattern"], entity::rules::money::pattern());
    assert_eq!(schemas["Email"]["format"], "email");
    assert_eq!(
        schemas["TitleText"]["maxLength"],
        backend::fields::Title::MAX
    );
    assert_eq!(
        schemas["FiscalYear"]["maximum"],
        backend::fields::FiscalYear::MAX
    );
    assert_eq!(
        schemas["ServiceCategory"]["enum"],
        json!([
            "children",
            "elderly",
            "women",
            "disability",
            "community",
            "volunteer",
            "other"
        ])
    );
    let org = &schemas["NewOrganisation"]["properties"];
    assert_eq!(
        org["credit_code"]["$ref"],
        "#/components/schemas/CreditCode"
    );
    assert_eq!(org["contact_email"]["$ref"], "#/components/schemas/Email");
    // A limit out of the documented range is refused, one inside it is taken.
    let admin = app.user(Role::Admin).await;
    let limit = resolve(&doc, &schemas["Limit"]);
    let max = limit["maximum"].as_u64().unwrap();
    app.get(&format!("/api/v1/purchasers?limit={max}"), &admin.token)
        .await
        .expect(200);
    app.get(
        &format!("/api/v1/purchasers?limit={}", max + 1),
        &admin.token,
    )
    .await
    .expect(422);

    // The credit code's pattern is the validator's shape: a code of that shape with a wrong
    // check character is refused, and the document's example is accepted.
    let pattern = regex::Regex::new(schemas["CreditCode"]["pattern"].as_str().unwrap()).unwrap();
    let example = schemas["CreditCode"]["examples"][0].as_str().unwrap();
    assert!(pattern.is_match(example));
    let wrong = format!(
        "{}{}",
        &example[..17],
        if example.ends_with('0') { '1' } else { '0' }
    );
    assert!(pattern.is_match(&wrong));
    let mut body = from_examples(&doc, body_schema(&doc, "post", "/api/v1/organisations"));
    body["credit_code"] = wrong.into();
    let refused = app
        .post("/api/v1/organisations", &admin.token, body)
        .await
        .expect(422);
    assert_eq!(refused.error_fields(), ["credit_code"]);
}

/// Bodies built from nothing but the document's examples are accepted, and the links of the
/// answers lead to the reads of what they made.
#[tokio::test]
async fn bodies_from_the_examples_are_accepted_and_links_lead_on() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let admin = app.user(Role::Admin).await;
    let finance = app.user(Role::FinanceOfficer).await;
    for (token, path) in [
        (&admin.token, "/api/v1/purchasers"),
        (&admin.token, "/api/v1/organisations"),
        (&finance.token, "/api/v1/budget-lines"),
    ] {
        let body = from_examples(&doc, body_schema(&doc, "post", path));
        let made = app.post(path, token, body.clone()).await;
        assert_eq!(made.status.as_u16(), 201, "{path} {body}: {}", made.text);
        let links = &doc["paths"][path]["post"]["responses"]["201"]["links"];
        let read = links
            .as_object()
            .unwrap()
            .values()
            .find(|l| l["operationId"].as_str().unwrap().starts_with("get_"))
            .unwrap_or_else(|| panic!("no read linked from POST {path}: {links}"));
        assert_eq!(read["parameters"]["id"], "$response.body#/id");
        let (read_path, _) = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, item)| item["get"]["operationId"] == read["operationId"])
            .unwrap();
        let got = app
            .get(&read_path.replace("{id}", &made.id().to_string()), token)
            .await
            .expect(200);
        assert_eq!(got.body["id"], made.body["id"]);
    }
    // A user from the examples, as an admin makes one (its purchaser from the first answer).
    let mut user = from_examples(&doc, body_schema(&doc, "post", "/api/v1/users"));
    user["role"] = "supervisor".into();
    user["email"] = "new.supervisor@huimin.demo".into();
    for link in ["purchaser_id", "organisation_id", "approver"] {
        user.as_object_mut().unwrap().remove(link);
    }
    app.post("/api/v1/users", &admin.token, user)
        .await
        .expect(201);
}

#[tokio::test]
async fn problems_are_documented_with_their_media_type_and_ids_are_unique() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            assert!(ids.insert(id.clone()), "{id} twice");
            for (status, response) in op["responses"].as_object().unwrap() {
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {status}"
                );
                if status.starts_with('4') && response["content"].is_object() {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    // Every reference resolves (the schemas of parameters too).
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        assert!(
            doc.pointer(r.trim_start_matches('#')).is_some(),
            "{r} is nowhere"
        );
    }
    let problem = app
        .get(
            "/api/v1/purchasers/nothing",
            &app.user(Role::Admin).await.token,
        )
        .await;
    assert_eq!(problem.headers["content-type"], "application/problem+json");
}
