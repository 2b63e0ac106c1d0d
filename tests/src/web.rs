//! A browser for page tests: it keeps its cookies, sends what a browser sends (`Host`, and
//! `Origin` on a POST) and finds a form's CSRF token in the page it was given.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, header};

use crate::{Answer, TestApp};

/// The type of a form's urlencoded body.
const FORM: &str = "application/x-www-form-urlencoded";

/// The host the pages are asked for.
pub const HOST: &str = "huimin.test";

/// One visitor's browser.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// The `Origin` a POST carries (`None`: none at all).
    pub origin: Option<String>,
}

impl<'a> Browser<'a> {
    /// A browser with no cookies.
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: BTreeMap::new(),
            origin: Some(format!("http://{HOST}")),
        }
    }

    /// A browser signed in as `who`: a page session is the same kind of token as the API's.
    pub fn signed_in(app: &'a TestApp, who: &crate::Login) -> Self {
        let mut b = Browser::new(app);
        b.set_cookie("huimin_session", &who.token);
        b
    }

    /// A cookie the browser holds.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Sets or replaces a cookie by hand.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.into(), value.into());
    }

    fn remember(&mut self, a: &Answer) {
        for v in a.headers.get_all(header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let Some((pair, attrs)) = v.split_once(';').or(Some((v, ""))) else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let gone = attrs.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if gone {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().into(), value.trim().into());
            }
        }
    }

    async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> Answer {
        let body = body.map(|b| (Body::from(b), FORM.to_string()));
        self.send_body(method, path, body, None).await
    }

    /// A request with a body of its own type, and a `Content-Length` when given.
    async fn send_body(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(Body, String)>,
        length: Option<u64>,
    ) -> Answer {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::HOST, HOST);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        if method == Method::POST
            && let Some(o) = &self.origin
        {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(n) = length {
            req = req.header(header::CONTENT_LENGTH, n);
        }
        let body = match body {
            Some((body, content_type)) => {
                req = req.header(header::CONTENT_TYPE, content_type);
                body
            }
            None => Body::empty(),
        };
        let req = req.body(body).expect("request");
        let a = self.app.send(None, req).await;
        self.remember(&a);
        a
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    /// `POST path` of form fields as given (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(Method::POST, path, Some(body)).await
    }

    /// `POST path` of form fields with the CSRF token of the page `from` (fetched first).
    pub async fn submit(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let page = self.get(from).await;
        let token = csrf_of(&page.text).unwrap_or_else(|| panic!("no form token on {from}"));
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// `POST path` of a multipart form, its parts as given (no token added).
    pub async fn post_multipart(&mut self, path: &str, parts: &[Part]) -> Answer {
        self.post_multipart_announcing(path, parts, None).await
    }

    /// `POST path` of a multipart form announcing a `Content-Length` of `length` (`None`: its
    /// own), whatever its parts' size.
    pub async fn post_multipart_announcing(
        &mut self,
        path: &str,
        parts: &[Part],
        length: Option<u64>,
    ) -> Answer {
        let (body, content_type) = multipart(parts);
        let length = length.unwrap_or(body.len() as u64);
        self.send_body(
            Method::POST,
            path,
            Some((Body::from(body), content_type)),
            Some(length),
        )
        .await
    }

    /// `POST path` of a multipart form with the CSRF token of the page `from` (fetched first)
    /// as its first part, as a browser sends a form whose hidden token comes first.
    pub async fn submit_multipart(&mut self, from: &str, path: &str, parts: &[Part]) -> Answer {
        let page = self.get(from).await;
        let token = csrf_of(&page.text).unwrap_or_else(|| panic!("no form token on {from}"));
        let mut all = vec![Part::text("_csrf", &token)];
        all.extend_from_slice(parts);
        self.post_multipart(path, &all).await
    }

    /// Signs in through the sign-in page; panics unless it lands on `/`.
    pub async fn sign_in(&mut self, email: &str, password: &str) {
        let a = self
            .submit(
                "/login",
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(a.status.as_u16(), 303, "sign-in: {}", a.text);
        assert_eq!(location(&a), "/");
    }
}

/// The `Location` of a redirect.
pub fn location(a: &Answer) -> String {
    a.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_string)
}

/// The `value` of the input `name` of a page (the first one).
pub fn value_of(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + "value=\"".len();
    rest[v..].split('"').next().map(str::to_string)
}

/// One part of a multipart form: a text field, or a file with its name and type.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    /// A text field.
    pub fn text(name: &str, value: &str) -> Self {
        Part {
            name: name.into(),
            file_name: None,
            content_type: None,
            bytes: value.as_bytes().to_vec(),
        }
    }

    /// A file of the field `files`.
    pub fn file(file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        Part {
            name: "files".into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            bytes: bytes.to_vec(),
        }
    }
}

/// A `multipart/form-data` body of `parts` and its content type.
pub fn multipart(parts: &[Part]) -> (Vec<u8>, String) {
    let boundary = "huimin-test-boundary-7d0c";
    let mut body = Vec::new();
    for p in parts {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
                p.name
            )
            .as_bytes(),
        );
        if let Some(f) = &p.file_name {
            body.extend(format!("; filename=\"{f}\"").as_bytes());
        }
        body.extend(b"\r\n");
        if let Some(ct) = &p.content_type {
            body.extend(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend(b"\r\n");
        body.extend(&p.bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}
