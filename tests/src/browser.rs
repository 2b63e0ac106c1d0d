//! Browser tests in real headless Chromium over WebDriver (UI.md §4).
//!
//! A [`Site`] is a [`TestApp`] with the demo data set, served over TCP on `127.0.0.1:<free
//! port>` (the pages' same-origin check sees one address: the one the browser uses). A
//! [`Chrome`] is one headless Chromium at one [`Size`], driven through its own `chromedriver`
//! child process (killed, with the browser, when the `Chrome` is dropped). Its helpers speak
//! as a user does: go to a path, fill the field of a label, press the button of a text, read
//! the page, take a screenshot.
//!
//! Without Chromium and chromedriver on the machine, [`Site::demo`] prints
//! `SKIPPED: ...` with the command that installs them and answers `None` (the test passes);
//! with `HUIMIN_REQUIRE_BROWSER=1` it fails instead (CI).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::Method;
use base64::Engine;
use entity::rules::vocab::Locale;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::TestApp;

/// The command that installs what the browser tests need (Debian's packages).
pub const INSTALL: &str = "apt-get install -y chromium chromium-driver fonts-noto-cjk";

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = backend::demo::DEMO_PASSWORD;
/// The demo finance officer (汤阴县民政局).
pub const FINANCE: &str = "finance@huimin.demo";
/// The demo administrator.
pub const ADMIN: &str = "admin@huimin.demo";
/// The first demo social organisation's project lead (`org2@…`, `org3@…` exist too).
pub const ORGANISATION: &str = "org1@huimin.demo";
/// The demo supervisor.
pub const SUPERVISOR: &str = "supervisor@huimin.demo";

/// Bounds every wait on the browser or the driver.
const PATIENCE: Duration = Duration::from_secs(20);

/// A window: its CSS size, and whether it is a phone (mobile emulation: touch, the page's
/// `viewport` meta honoured, no minimum window width).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
    pub phone: bool,
}

/// A desk: 1280×800.
pub const DESK: Size = Size {
    width: 1280,
    height: 800,
    phone: false,
};
/// A phone: 390×844.
pub const PHONE: Size = Size {
    width: 390,
    height: 844,
    phone: true,
};
/// The narrowest phone a page must fit without sideways scrolling: 360×740 (checked, not
/// screenshot).
pub const NARROW: Size = Size {
    width: 360,
    height: 740,
    phone: true,
};
/// Every size a page is screenshot at.
pub const SIZES: [Size; 2] = [DESK, PHONE];

/// The text of catalogue `key` in Chinese (what the pages show by default).
pub fn zh(key: &str) -> String {
    jobs::i18n::text(Locale::ZhCn, key)
}

/// The text of catalogue `key` in English.
pub fn en(key: &str) -> String {
    jobs::i18n::text(Locale::En, key)
}

/// Chromium and chromedriver, if both are here (`HUIMIN_CHROMIUM` / `HUIMIN_CHROMEDRIVER`
/// name other binaries).
fn binaries() -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("HUIMIN_CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|n| on_path(n))
        })?;
    let driver = std::env::var_os("HUIMIN_CHROMEDRIVER")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| on_path("chromedriver"))?;
    Some((chromium, driver))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether the browser tests run here: `true` when Chromium and chromedriver are installed;
/// otherwise prints the skip (once, past the test harness's capture) and answers `false`, or
/// panics when `HUIMIN_REQUIRE_BROWSER=1`. `HUIMIN_SKIP_BROWSER=1` skips them anyway (`.ci/run`'s
/// PostgreSQL pass: they run once, in its SQLite pass).
pub fn available() -> bool {
    let message = if std::env::var("HUIMIN_SKIP_BROWSER").as_deref() == Ok("1") {
        "SKIPPED: browser tests (HUIMIN_SKIP_BROWSER=1)".to_string()
    } else if binaries().is_some() {
        return true;
    } else if std::env::var("HUIMIN_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("HUIMIN_REQUIRE_BROWSER=1 but Chromium or chromedriver is missing: {INSTALL}");
    } else {
        format!("SKIPPED: browser tests need Chromium: {INSTALL}")
    };
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Straight to the process's stderr: `eprintln!` would be captured and hidden.
        let _ = writeln!(std::io::stderr(), "{message}");
    });
    false
}

/// The workspace's `target/screenshots` (beside the test binary's `target/debug/deps`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|d| d.file_name().is_some_and(|n| n == "deps"))
                .and_then(|deps| deps.parent()?.parent())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("screenshots")
}

/// The items of a list answer (`{items}`, or a bare array).
pub fn items(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v.as_array()
        .or(v["items"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// A milestone an organisation may report on: see [`Site::planned_milestone`].
pub struct PlannedMilestone {
    pub contract: String,
    pub id: String,
    pub title: String,
    /// The labels of the contract's indicators on the report form.
    pub labels: Vec<String>,
    /// The organisation's API token.
    pub token: String,
}

/// The application on a fresh database with the demo data set, served on a free loopback port.
pub struct Site {
    pub app: TestApp,
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Site {
    /// The demo site, or `None` when the browser tests are skipped here (see [`available`]).
    pub async fn demo() -> Option<Site> {
        if !available() {
            return None;
        }
        let app = TestApp::new().await;
        backend::demo::load(&app.state)
            .await
            .expect("load the demo data set");
        app.seal().await;
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, listening) = oneshot::channel();
        tokio::spawn(backend::app::serve_until(
            app.state.clone(),
            move |l| {
                let _ = ready.send(*l);
            },
            async move {
                let _ = stopped.await;
            },
        ));
        let listening = listening.await.expect("the server starts");
        Some(Site {
            app,
            addr: listening.api.expect("an API address"),
            _stop: stop,
        })
    }

    /// A planned milestone of one of `email`'s organisation's active contracts (through the
    /// API, as that organisation's staff), with the labels its report form gives the
    /// contract's indicators ("name（unit）").
    pub async fn planned_milestone(&self, email: &str) -> PlannedMilestone {
        let token = self.app.login(email, DEMO_PASSWORD).await;
        let contracts = self
            .app
            .get("/api/v1/contracts?status=active&limit=100", &token)
            .await
            .expect(200)
            .body;
        for k in items(&contracts) {
            let contract = k["id"].as_str().expect("an id").to_string();
            let ms = self
                .app
                .get(&format!("/api/v1/contracts/{contract}/milestones"), &token)
                .await
                .expect(200)
                .body;
            let Some(m) = items(&ms).into_iter().find(|m| m["status"] == "planned") else {
                continue;
            };
            let indicators = self
                .app
                .get(&format!("/api/v1/contracts/{contract}/indicators"), &token)
                .await
                .expect(200)
                .body;
            let labels = items(&indicators)
                .iter()
                .map(|i| {
                    let (name, unit) = (i["name"].as_str().unwrap(), i["unit"].as_str().unwrap());
                    if unit.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name}（{unit}）")
                    }
                })
                .collect();
            return PlannedMilestone {
                contract,
                id: m["id"].as_str().expect("an id").to_string(),
                title: m["title"].as_str().expect("a title").to_string(),
                labels,
                token,
            };
        }
        panic!("{email} has no planned milestone of an active contract");
    }

    /// The site's address, `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new headless Chromium at `size`, on this site, signed out.
    pub async fn chrome(&self, size: Size) -> Chrome {
        Chrome::open(self.base(), size).await
    }

    /// Screenshots `path` as `who` (a demo login; `None`: a visitor) at each of [`SIZES`], each
    /// in a browser of its own, as `<name>-<w>x<h>.png`: for a record's page a journey reaches
    /// (`/tenders/<id>`), which a fixed list of paths cannot name.
    pub async fn screenshot_at_every_size(&self, who: Option<&str>, path: &str, name: &str) {
        for size in SIZES {
            let b = self.chrome(size).await;
            if let Some(email) = who {
                b.sign_in(email, DEMO_PASSWORD).await;
            }
            b.goto(path).await;
            b.screenshot(name).await;
            b.close().await;
        }
    }
}

/// A `chromedriver` child process in its own process group (with the Chromium it starts):
/// the session is closed and the group killed on drop.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
    dir: tempfile::TempDir,
}

impl Driver {
    fn start(driver: &Path) -> Driver {
        let dir = tempfile::tempdir().expect("a temp dir for the browser");
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .arg("--silent")
            // Chromium's scratch directories go in our temp dir, removed on drop.
            .env("TMPDIR", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", driver.display()));
        let mut d = Driver {
            child,
            port,
            session: None,
            dir,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = d.child.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            assert!(start.elapsed() < PATIENCE, "chromedriver does not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `DELETE /session/<id>`, blocking (from `Drop`): Chromium quits and cleans up.
    fn end_session(&mut self) {
        let Some(id) = self.session.take() else {
            return;
        };
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = write!(
            s,
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        let _ = s.read_to_end(&mut Vec::new());
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.end_session();
        // The whole group: chromedriver and any Chromium process still there. Through the
        // system call itself, never the `kill` program: procps-ng 4.0.2's `kill -KILL -<pgid>`
        // signals every process there is.
        let group = i32::try_from(self.child.id()).ok().filter(|&id| id > 1);
        if let Some(pid) = group.and_then(rustix::process::Pid::from_raw) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Chrome DevTools' `Page.captureScreenshot` of the whole page (beyond the viewport), through
/// chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct FullPageScreenshot;

impl WebDriverCompatibleCommand for FullPageScreenshot {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        let body = json!({
            "cmd": "Page.captureScreenshot",
            "params": {"format": "png", "captureBeyondViewport": true},
        });
        (Method::POST, Some(body.to_string()))
    }
}

/// Quotes `s` as an XPath string literal.
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// One headless Chromium at one size.
pub struct Chrome {
    client: Client,
    base: String,
    /// The window this browser has.
    pub size: Size,
    driver: Driver,
}

impl Chrome {
    /// Starts chromedriver and a headless Chromium of `size` for the site at `base`. The
    /// browser asks for Chinese first, as the county's users' browsers do.
    pub async fn open(base: String, size: Size) -> Chrome {
        let (chromium, driver) = binaries().unwrap_or_else(|| panic!("no Chromium: {INSTALL}"));
        let mut driver = Driver::start(&driver);
        let profile = driver.dir.path().join("profile");
        let mut options = json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-extensions",
                "--no-first-run",
                "--lang=zh-CN",
                // Screenshots without a scrollbar eating into the width.
                "--hide-scrollbars",
                format!("--window-size={},{}", size.width, size.height),
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        });
        if size.phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": size.width,
                    "height": size.height,
                    "pixelRatio": 1.0,
                    "mobile": true,
                    "touch": true,
                },
            });
        }
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let client = tokio::time::timeout(
            PATIENCE,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps)
                .connect(&driver.url()),
        )
        .await
        .expect("Chromium starts in time")
        .expect("a WebDriver session");
        driver.session = client.session_id().await.expect("the session id");
        let chrome = Chrome {
            client,
            base,
            size,
            driver,
        };
        if !size.phone {
            chrome.fit_viewport().await;
        }
        chrome
    }

    /// Sizes the window so that its viewport (inside the browser's own bars, which headless
    /// Chromium counts too) is exactly the desk's width and height.
    async fn fit_viewport(&self) {
        let (w, h) = (self.size.width, self.size.height);
        let (mut ow, mut oh) = (w, h);
        for _ in 0..3 {
            self.client
                .set_window_size(ow, oh)
                .await
                .expect("set the window size");
            let inner = self
                .client
                .execute("return [window.innerWidth, window.innerHeight]", vec![])
                .await
                .expect("the viewport's size");
            let iw = inner[0].as_u64().unwrap_or(0) as u32;
            let ih = inner[1].as_u64().unwrap_or(0) as u32;
            if (iw, ih) == (w, h) {
                return;
            }
            ow = (ow + w).saturating_sub(iw);
            oh = (oh + h).saturating_sub(ih);
        }
        panic!("cannot give the window a {w}x{h} viewport");
    }

    /// The WebDriver client, for what the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Closes the browser (dropping it does too, less politely).
    pub async fn close(mut self) {
        if self.client.clone().close().await.is_ok() {
            self.driver.session = None;
        }
    }

    /// Opens `path` of the site (e.g. `/budget-lines`).
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("go to {path}: {e}"));
        self.settle().await;
    }

    /// The current page's path and query (`/login?next=%2Fprofile`).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The page's `<title>`.
    pub async fn title(&self) -> String {
        self.client.title().await.expect("the title")
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .expect("a body")
            .text()
            .await
            .expect("the body's text")
    }

    /// The page's HTML as the browser holds it.
    pub async fn html(&self) -> String {
        self.client.source().await.expect("the page source")
    }

    /// Panics unless the page's visible text contains `needle`.
    #[track_caller]
    pub fn see<'a>(&'a self, needle: &'a str) -> impl Future<Output = ()> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let text = self.text().await;
            assert!(
                text.contains(needle),
                "{caller}: {:?} not on {} ({}x{}):\n{text}",
                needle,
                self.path().await,
                self.size.width,
                self.size.height
            );
        }
    }

    /// The elements matching `css` (visible or not).
    pub async fn find_all(&self, css: &str) -> Vec<fantoccini::elements::Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// The first displayed element of those `xpath` finds, else of those `css` finds.
    async fn first_shown(
        &self,
        xpath: Option<&str>,
        css: &str,
    ) -> Option<fantoccini::elements::Element> {
        let mut found = Vec::new();
        if let Some(x) = xpath {
            found = self
                .client
                .find_all(Locator::XPath(x))
                .await
                .unwrap_or_default();
        }
        if found.is_empty() {
            found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
        }
        for e in found {
            if e.is_displayed().await.unwrap_or(false) {
                return Some(e);
            }
        }
        None
    }

    /// The form control of the `<label>` whose text is `label`, else the element `label`
    /// selects as CSS.
    async fn field(&self, label: &str) -> fantoccini::elements::Element {
        let lit = xpath_literal(label);
        let labels = self
            .client
            .find_all(Locator::XPath(&format!(
                "//label[normalize-space(.)={lit}]"
            )))
            .await
            .unwrap_or_default();
        for l in labels {
            if let Some(id) = l.attr("for").await.ok().flatten() {
                let x = format!("//*[@id={}]", xpath_literal(&id));
                if let Ok(e) = self.client.find(Locator::XPath(&x)).await {
                    return e;
                }
            }
            if let Ok(e) = l.find(Locator::Css("input, select, textarea")).await {
                return e;
            }
        }
        match self.client.find(Locator::Css(label)).await {
            Ok(e) => e,
            Err(_) => panic!(
                "no field labelled or selected by {label:?} on {}:\n{}",
                self.path().await,
                self.text().await
            ),
        }
    }

    /// Fills the field of the `<label>` whose text is `label` (or the field `label` selects as
    /// CSS) with `value`: types into an input or text area (replacing what it held), picks the
    /// option of that text or value (else the first whose text contains it) in a select, ticks
    /// a checkbox or radio button (`value` ignored), sets a date or time input as its picker
    /// does (`value` in the input's own format: `2026-05-01`, `2026-05-01T17:00`).
    pub async fn fill(&self, label: &str, value: &str) {
        let e = self.field(label).await;
        let tag = e.tag_name().await.expect("a tag").to_ascii_lowercase();
        let kind = e
            .attr("type")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let done = match (tag.as_str(), kind.as_str()) {
            ("select", _) => match e.select_by_label(value).await {
                Ok(()) => Ok(()),
                Err(_) => match e.select_by_value(value).await {
                    Ok(()) => Ok(()),
                    // An option whose text contains `value` ("2026-MZ-01 困境儿童…").
                    Err(_) => {
                        let x = format!("./option[contains(., {})]", xpath_literal(value));
                        match e.find(Locator::XPath(&x)).await {
                            Ok(o) => o.click().await,
                            Err(err) => Err(err),
                        }
                    }
                },
            },
            // What the browser's date picker does: the value in the input's own format
            // (`2026-05-01`, `2026-05-01T17:00`), whatever the display's locale.
            ("input", "date" | "datetime-local" | "time" | "month") => self
                .client
                .execute(
                    "arguments[0].value = arguments[1]; \
                     arguments[0].dispatchEvent(new Event('input', {bubbles: true})); \
                     arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                    vec![
                        serde_json::to_value(&e).expect("an element as JSON"),
                        json!(value),
                    ],
                )
                .await
                .map(|_| ()),
            ("input", "checkbox" | "radio") => {
                if e.is_selected().await.unwrap_or(false) {
                    Ok(())
                } else {
                    e.click().await
                }
            }
            _ => match e.clear().await {
                Ok(()) => e.send_keys(value).await,
                Err(err) => Err(err),
            },
        };
        done.unwrap_or_else(|err| panic!("fill {label:?} with {value:?}: {err}"));
    }

    /// Presses the displayed button whose text (or submit input whose value) is `button`, else
    /// the displayed element `button` selects as CSS, and waits for the next page (a form's
    /// POST, its redirect, the page it lands on).
    pub async fn click_button(&self, button: &str) {
        let lit = xpath_literal(button);
        let x = format!(
            "//button[normalize-space(.)={lit}] | \
             //input[(@type='submit' or @type='button') and @value={lit}]"
        );
        self.press(Some(&x), button, "button").await;
    }

    /// Follows the displayed link whose text is `link` (else the one `link` selects as CSS), and
    /// waits for the page.
    pub async fn click_link(&self, link: &str) {
        let x = format!("//a[normalize-space(.)={}]", xpath_literal(link));
        self.press(Some(&x), link, "link").await;
    }

    async fn press(&self, xpath: Option<&str>, what: &str, kind: &str) {
        let Some(e) = self.first_shown(xpath, what).await else {
            panic!(
                "no {kind} {what:?} on {}:\n{}",
                self.path().await,
                self.text().await
            );
        };
        // A mark on this page: it is gone once the next page has replaced it.
        self.client
            .execute("window.__huimin_old_page = true", vec![])
            .await
            .expect("mark the page");
        e.click()
            .await
            .unwrap_or_else(|err| panic!("press {kind} {what:?}: {err}"));
        let start = Instant::now();
        loop {
            let now = self
                .client
                .execute(
                    "return [window.__huimin_old_page === true, document.readyState]",
                    vec![],
                )
                .await;
            // Errors: the page is being replaced.
            if let Ok(v) = now
                && v[0] == Value::Bool(false)
                && v[1] == "complete"
            {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no new page after pressing {kind} {what:?} on {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the displayed element `css` selects, and waits for nothing (for what changes the
    /// page in place; [`Chrome::click_button`] and [`Chrome::click_link`] wait for the next).
    pub async fn click(&self, css: &str) {
        let Some(e) = self.first_shown(None, css).await else {
            panic!(
                "no {css:?} on {}:\n{}",
                self.path().await,
                self.text().await
            );
        };
        e.click()
            .await
            .unwrap_or_else(|err| panic!("click {css:?}: {err}"));
    }

    /// Waits until the page has loaded.
    async fn settle(&self) {
        let start = Instant::now();
        loop {
            let state = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            if matches!(state, Ok(Value::String(ref s)) if s == "complete") {
                return;
            }
            assert!(start.elapsed() < PATIENCE, "the page does not load");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Panics if the page is wider than the window (it would scroll sideways), naming the
    /// elements that stick out.
    pub async fn assert_fits(&self) {
        let script = r#"
            const w = document.documentElement.clientWidth;
            const out = [];
            for (const e of document.body.querySelectorAll('*')) {
              const r = e.getBoundingClientRect();
              if (r.width > 0 && r.right > w + 1) {
                out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                  (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
                  ' right=' + Math.round(r.right));
              }
            }
            return [document.documentElement.scrollWidth, w, out.slice(0, 10)];
        "#;
        let v = self
            .client
            .execute(script, vec![])
            .await
            .expect("measure the page");
        let (scroll, width) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
        assert!(
            scroll <= width,
            "{} at {}x{} scrolls sideways: {scroll}px wide in {width}px; sticking out: {}",
            self.path().await,
            self.size.width,
            self.size.height,
            v[2]
        );
    }

    /// Saves the whole page as `target/screenshots/<name>-<w>x<h>.png` after checking that it
    /// fits the window's width ([`Chrome::assert_fits`]); answers the file's path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.assert_fits().await;
        let png = match self.client.issue_cmd(FullPageScreenshot).await {
            Ok(v) => v["data"]
                .as_str()
                .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok()),
            Err(_) => None,
        };
        let png = match png {
            Some(p) => p,
            None => self.client.screenshot().await.expect("a screenshot"),
        };
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        let file = dir.join(format!(
            "{name}-{}x{}.png",
            self.size.width, self.size.height
        ));
        std::fs::write(&file, png).expect("write the screenshot");
        file
    }

    /// Signs in through the `/login` page; panics unless it leaves the sign-in page.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click_button("form[action='/login'] button[type=submit]")
            .await;
        let at = self.path().await;
        assert!(
            !at.starts_with("/login"),
            "still on {at} after signing in as {email}:\n{}",
            self.text().await
        );
    }

    /// Signs out with the header's button; lands on the sign-in page.
    pub async fn sign_out(&self) {
        self.click_button("form[action='/logout'] button[type=submit]")
            .await;
        assert_eq!(self.path().await, "/login");
    }

    /// Switches the language with the header's button (to the other one of zh-CN and en).
    pub async fn switch_language(&self) {
        self.click_button("form[action='/profile/language'] button[type=submit]")
            .await;
    }

    /// The page's `<html lang>`.
    pub async fn lang(&self) -> String {
        self.client
            .find(Locator::Css("html"))
            .await
            .expect("html")
            .attr("lang")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }
}
