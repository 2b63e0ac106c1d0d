//! A browser for page tests: it keeps its cookies, sends what a browser sends (`Host`, and
//! `Origin` on a POST) and finds a form's CSRF token in the page it was given.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, header};

use crate::{Answer, TestApp};

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
        if method == Method::POST {
            if let Some(o) = &self.origin {
                req = req.header(header::ORIGIN, o);
            }
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .expect("request");
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
