//! The web interface's foundation through HTTP, as a browser uses it: sign-in by cookie, CSRF
//! and origin checks, the language, the officer's home, error pages, headers and assets.

use axum::http::{StatusCode, header};
use entity::rules::vocab::Role;
use serde_json::json;
use tests::web::{Browser, csrf_of, location};
use tests::{Login, PASSWORD, TestApp};

async fn email_of(app: &TestApp, who: &Login) -> String {
    app.get("/api/v1/me", &who.token).await.expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn locale_of(app: &TestApp, who: &Login) -> String {
    app.get("/api/v1/me", &who.token).await.expect(200).body["locale"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn signing_in_by_cookie_lands_on_home_and_signing_out_revokes_the_session() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let email = email_of(&app, &fo).await;
    let mut b = Browser::new(&app);
    let form = b.get("/login").await.expect(200);
    assert!(
        form.text
            .contains("<form method=\"post\" action=\"/login\"")
    );
    assert!(b.cookie("huimin_csrf").is_some());
    let signed_in = b
        .submit(
            "/login",
            "/login",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await
        .expect(303);
    assert_eq!(location(&signed_in), "/");
    let cookie = signed_in
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("huimin_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let home = b.get("/").await.expect(200);
    assert!(home.text.contains("首页"), "{}", home.text);
    // The cookie is no bearer token: the API does not take it.
    let token = b.cookie("huimin_session").unwrap().to_string();
    let api = b.get("/api/v1/me").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);

    let out = b.submit("/", "/logout", &[]).await.expect(303);
    assert_eq!(location(&out), "/login");
    assert!(b.cookie("huimin_session").is_none());
    let after = b.get("/login").await.expect(200);
    assert!(after.text.contains("您已退出"), "{}", after.text);
    app.get("/api/v1/me", &token).await.expect(401);
    // Going back to a page asks to sign in again, then returns there.
    b.set_cookie("huimin_session", &token);
    let again = b.get("/profile").await.expect(303);
    assert_eq!(location(&again), "/login?next=%2Fprofile");
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_and_guesses_are_throttled_as_in_the_api() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let email = email_of(&app, &fo).await;
    let mut b = Browser::new(&app);
    for _ in 0..5 {
        let a = b
            .submit(
                "/login",
                "/login",
                &[("email", &email), ("password", "wrong-password")],
            )
            .await
            .expect(401);
        assert!(a.text.contains("邮箱或密码错误"), "{}", a.text);
        assert!(a.text.contains(&format!("value=\"{email}\"")));
    }
    let a = b
        .submit(
            "/login",
            "/login",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await
        .expect(429);
    assert!(a.headers.contains_key(header::RETRY_AFTER));
    assert!(a.text.contains("失败次数过多"), "{}", a.text);
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_site_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let email = email_of(&app, &fo).await;
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD).await;
    let token = csrf_of(&b.get("/profile").await.expect(200).text).unwrap();
    let change = [("locale", "en"), ("next", "/profile")];
    // No token, a wrong one, another session's.
    b.post_raw("/profile/language", &change).await.expect(403);
    let wrong = [("_csrf", "0".repeat(40)), ("locale", "en".into())];
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post_raw("/profile/language", &wrong).await.expect(403);
    let mut other = Browser::new(&app);
    other.sign_in(&email, PASSWORD).await;
    let others = csrf_of(&other.get("/profile").await.text).unwrap();
    assert_ne!(others, token);
    b.post_raw("/profile/language", &[("_csrf", &others), ("locale", "en")])
        .await
        .expect(403);
    // The right token from another site, or with no origin at all.
    b.origin = Some("http://evil.example".into());
    b.post_raw("/profile/language", &[("_csrf", &token), ("locale", "en")])
        .await
        .expect(403);
    b.origin = None;
    b.post_raw("/profile/language", &[("_csrf", &token), ("locale", "en")])
        .await
        .expect(403);
    assert_eq!(locale_of(&app, &fo).await, "zh-CN");
    // The same form, as the page sends it.
    b.origin = Some(format!("http://{}", tests::web::HOST));
    let done = b
        .post_raw(
            "/profile/language",
            &[("_csrf", &token), ("locale", "en"), ("next", "/profile")],
        )
        .await
        .expect(303);
    assert_eq!(location(&done), "/profile");
    assert_eq!(locale_of(&app, &fo).await, "en");
}

#[tokio::test]
async fn pages_speak_the_users_language_and_the_switch_is_saved_on_the_user() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let email = email_of(&app, &fo).await;
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD).await;
    let zh = b.get("/").await.expect(200);
    assert!(zh.text.contains("<html lang=\"zh-CN\">") && zh.text.contains("退出"));
    let switched = b
        .submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await
        .expect(303);
    assert_eq!(location(&switched), "/");
    let en = b.get("/").await.expect(200);
    assert!(en.text.contains("<html lang=\"en\">"), "{}", en.text);
    assert!(en.text.contains("Sign out") && en.text.contains("Your language has been saved."));
    // The message shows once.
    assert!(
        !b.get("/")
            .await
            .text
            .contains("Your language has been saved.")
    );
    assert_eq!(locale_of(&app, &fo).await, "en");
    // A visitor picks a language on the sign-in page, else the browser's.
    let mut v = Browser::new(&app);
    v.get("/login?lang=en").await.expect(303);
    assert!(v.get("/login").await.text.contains("Sign in to Huimin"));
    let mut w = Browser::new(&app);
    assert!(w.get("/login").await.text.contains("登录惠民"));
}

#[tokio::test]
async fn an_officers_home_counts_what_needs_them_and_shows_the_budget_lines() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let email = email_of(&app, &fo).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let org = app.organisation().await;
    app.draft_contract(&fo, org, line, "1000.00").await;
    app.draft_contract(&fo, org, line, "2000.00").await;
    app.published_tender(&fo, line, "50000.00").await;
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD).await;
    let home = b.get("/").await.expect(200);
    assert!(home.text.contains("2 份合同草稿待签订"), "{}", home.text);
    assert!(
        !home.text.contains("份服务报告待验收"),
        "no reports: no line"
    );
    assert!(home.text.contains("¥1,000,000.00"));
    // 50,000 of the tender's ceiling reserved: available shown to the fen.
    assert!(home.text.contains("¥950,000.00"), "{}", home.text);
    // The tender's deadline passes: it is to be closed and awarded.
    app.clock.advance(chrono::Duration::days(11));
    let home = b.get("/").await.expect(200);
    assert!(
        home.text.contains("1 个采购项目已过响应截止时间"),
        "{}",
        home.text
    );
    // Another purchaser's officer sees none of it.
    let other = app.user(Role::FinanceOfficer).await;
    let mut o = Browser::new(&app);
    o.sign_in(&email_of(&app, &other).await, PASSWORD).await;
    let theirs = o.get("/").await.expect(200);
    assert!(theirs.text.contains("今天没有待办事项") && !theirs.text.contains("¥1,000,000.00"));
}

#[tokio::test]
async fn a_user_an_admin_created_must_change_the_password_on_the_profile_page_first() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    app.post(
        "/api/v1/users",
        &admin.token,
        json!({"email": "new@example.gov.cn", "display_name": "新同事", "role": "supervisor", "password": "given-by-admin"}),
    )
    .await
    .expect(201);
    let mut b = Browser::new(&app);
    b.sign_in("new@example.gov.cn", "given-by-admin").await;
    let sent = b.get("/").await.expect(303);
    assert_eq!(location(&sent), "/profile");
    let page = b.get("/profile").await.expect(200);
    assert!(
        page.text.contains("请先修改密码再继续使用"),
        "{}",
        page.text
    );
    let wrong = b
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current_password", "not-it-at-all"),
                ("new_password", "my-own-password"),
            ],
        )
        .await
        .expect(422);
    assert!(wrong.text.contains("当前密码不正确"), "{}", wrong.text);
    assert!(
        wrong
            .text
            .contains("aria-describedby=\"current_password-error\"")
    );
    let done = b
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current_password", "given-by-admin"),
                ("new_password", "my-own-password"),
            ],
        )
        .await
        .expect(303);
    assert_eq!(location(&done), "/");
    let home = b.get("/").await.expect(200);
    assert!(home.text.contains("密码已修改"));
}

#[tokio::test]
async fn unknown_pages_answer_404_in_the_visitors_language_and_api_paths_keep_problems() {
    let app = TestApp::new().await;
    let mut b = Browser::new(&app);
    let page = b.get("/no-such-page").await.expect(404);
    assert!(page.text.contains("页面不存在"), "{}", page.text);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let api = b.get("/api/v1/no-such-thing").await.expect(404);
    assert_eq!(
        api.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(api.body["code"], "not_found");
    // A page that needs a session sends a visitor to sign in.
    let sent = b.get("/").await.expect(303);
    assert_eq!(location(&sent), "/login?next=%2F");
}

#[tokio::test]
async fn pages_forbid_outside_requests_and_serve_hashed_assets_for_a_year() {
    let app = TestApp::new().await;
    let mut b = Browser::new(&app);
    let page = b.get("/login").await.expect(200);
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // No inline script or style, no address outside the server.
    assert!(!page.text.contains("<style") && !page.text.contains(" style="));
    assert!(!page.text.contains("http://") && !page.text.contains("https://"));
    let css = page
        .text
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/assets/app.") && h.ends_with(".css"))
        .expect("the stylesheet's hashed address")
        .to_string();
    let asset = b.get(&css).await.expect(200);
    assert_eq!(
        asset.headers[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert!(
        asset.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    b.get("/assets/app.css").await.expect(404);
    let js = page
        .text
        .split("src=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/assets/vendor/htmx-2.0.11.min."))
        .expect("htmx's hashed address")
        .to_string();
    b.get(&js).await.expect(200);
}

#[tokio::test]
async fn budget_lines_page_shows_the_readers_lines_a_page_at_a_time_and_refuses_organisations() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    // Created first: the supervisor's first page (oldest first) holds it.
    let theirs = app.budget_line(&other, "777777.00").await;
    for _ in 0..51 {
        app.budget_line(&fo, "1000.00").await;
    }
    let mut b = Browser::new(&app);
    b.sign_in(&email_of(&app, &fo).await, PASSWORD).await;
    let first = b.get("/budget-lines").await.expect(200);
    assert!(first.text.contains("aria-current=\"page\""));
    assert_eq!(
        first.text.matches("¥1,000.00").count(),
        50 * 2,
        "amount and available"
    );
    assert!(!first.text.contains("¥777,777.00"));
    let next = first
        .text
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/budget-lines?cursor="))
        .expect("a next page")
        .replace("&amp;", "&");
    let second = b.get(&next).await.expect(200);
    assert_eq!(second.text.matches("¥1,000.00").count(), 2);
    assert!(!second.text.contains("rel=\"next\""));
    // Supervisors read every purchaser's lines; organisations may not.
    let sup = app.user(Role::Supervisor).await;
    let mut s = Browser::new(&app);
    s.sign_in(&email_of(&app, &sup).await, PASSWORD).await;
    let all = s.get("/budget-lines").await.expect(200);
    assert!(all.text.contains("¥777,777.00"), "{theirs}");
    let org = app.user(Role::Organisation).await;
    let mut o = Browser::new(&app);
    o.sign_in(&email_of(&app, &org).await, PASSWORD).await;
    let refused = o.get("/budget-lines").await.expect(403);
    assert!(
        refused.text.contains("您的角色无权进行此操作"),
        "{}",
        refused.text
    );
    assert!(!o.get("/").await.text.contains("/budget-lines"));
}
