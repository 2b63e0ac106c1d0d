//! The organisation's staffing forms on a contract's posts tab: assign a worker to a post
//! without one (`POST /posts/{id}/assignments`, the service of the API's route of that path)
//! and end a current assignment (`POST /posts/{id}/assignments/{aid}/end`), for the
//! contract's own organisation while the contract is active. A refusal shows the tab again
//! with the form's messages and what was typed; a success returns to the tab with its message.
//!
//! The ID number typed in the assignment form is never shown back: a refused form comes back
//! with that field empty and a note to type it again, and the stored assignment shows only
//! its last four characters.

use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::Qualification;
use serde::Deserialize;
use uuid::Uuid;

use super::posts::{PostForm, PostsPage, page};
use super::settle;
use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::posts::{self, Assignment, EndAssignment, NewAssignment, Post};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::ui::Ui;

/// A worker's assignment as typed. `Debug` leaves the ID number out, so that no log line can
/// carry it.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignForm {
    #[serde(default)]
    pub worker_name: String,
    #[serde(default)]
    pub qualification: String,
    #[serde(default)]
    pub certificate_no: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub from_date: String,
}

impl std::fmt::Debug for AssignForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssignForm")
            .field("worker_name", &self.worker_name)
            .field("qualification", &self.qualification)
            .field("id_number", &"<redacted>")
            .field("from_date", &self.from_date)
            .finish_non_exhaustive()
    }
}

/// The end of an assignment as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndForm {
    #[serde(default)]
    pub to_date: String,
}

/// The staffing form that was refused, with what was typed in it (never the ID number).
#[derive(Debug, Default)]
pub struct Staffing {
    /// The record of the refused form: the post assigned to, or the assignment ended.
    pub target: Option<Uuid>,
    /// The assignment form as typed, its ID number emptied.
    pub assign: AssignForm,
    pub end: EndForm,
}

/// The fields of each staffing form, each shown with its own message.
const FIELDS: &[(&str, &[&str])] = &[
    (
        "assign",
        &[
            "worker_name",
            "qualification",
            "certificate_no",
            "id_number",
            "from_date",
        ],
    ),
    ("end", &["to_date"]),
];

impl PostsPage {
    /// The posts the organisation may assign a worker to: without a worker today and not
    /// ended (one starting later may be staffed ahead).
    pub fn assignable(&self) -> Vec<&Post> {
        if !self.can_staff {
            return Vec::new();
        }
        self.posts
            .iter()
            .filter(|p| p.current_assignment_id.is_none() && self.today <= p.end_date)
            .collect()
    }

    /// The current assignments the organisation may end, with their posts.
    pub fn endable(&self) -> Vec<(&Post, &Assignment)> {
        if !self.can_staff {
            return Vec::new();
        }
        self.posts
            .iter()
            .filter_map(|p| self.worker(p).map(|a| (p, a)))
            .collect()
    }

    /// Whether the form `name` (`assign` of a post, `end` of an assignment) of record `id`
    /// was the one refused.
    pub fn refused(&self, name: &str, id: &Uuid) -> bool {
        self.forms.is(name) && self.staffing.target == Some(*id)
    }

    /// What the form `name` of record `id` shows.
    pub fn fb_of(&self, name: &str, id: &Uuid) -> Feedback {
        if self.refused(name, id) {
            self.forms.fb(name).clone()
        } else {
            Feedback::none()
        }
    }

    /// The messages of the refused form `name` of record `id` that none of its fields shows.
    pub fn others_of(&self, name: &str, id: &Uuid) -> Vec<String> {
        let fields = FIELDS
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, f)| f);
        let fb = self.fb_of(name, id);
        fb.others(fields).into_iter().map(String::from).collect()
    }

    /// The assignment form of `p`: as typed when it was refused (the ID number is always
    /// empty), else the post's required qualification from today or its start.
    pub fn assign_form(&self, p: &Post) -> AssignForm {
        if self.refused("assign", &p.id) {
            let t = &self.staffing.assign;
            return AssignForm {
                worker_name: t.worker_name.clone(),
                qualification: t.qualification.clone(),
                certificate_no: t.certificate_no.clone(),
                id_number: String::new(),
                from_date: t.from_date.clone(),
            };
        }
        AssignForm {
            qualification: p.required_qualification.as_str().to_string(),
            from_date: self.today.max(p.start_date).to_string(),
            ..AssignForm::default()
        }
    }

    /// The end date in the form of assignment `a`: as typed when refused, else today.
    pub fn end_date(&self, a: &Uuid) -> String {
        if self.refused("end", a) {
            self.staffing.end.to_date.clone()
        } else {
            self.today.to_string()
        }
    }

    /// The refusal of a staffing form the page no longer shows (the post was filled, the
    /// assignment ended meanwhile): its messages, shown above the posts.
    pub fn stray_problems(&self) -> Vec<String> {
        let Some(name) = ["assign", "end"].into_iter().find(|n| self.forms.is(n)) else {
            return Vec::new();
        };
        let target = self.staffing.target;
        let shown = self.assignable().iter().any(|p| Some(p.id) == target)
            || self.endable().iter().any(|(_, a)| Some(a.id) == target);
        if shown {
            return Vec::new();
        }
        let fb = self.forms.fb(name);
        fb.notice
            .iter()
            .cloned()
            .chain(fb.others(&[]).into_iter().map(String::from))
            .collect()
    }
}

/// After a staffing form: back to the contract's posts with `flash`, or the tab again with
/// the refusal of form `name` and what was typed.
async fn answer<T>(
    (st, actor, ui, jar): (&AppState, &Actor, Ui, CookieJar),
    post_id: Uuid,
    r: ApiResult<T>,
    (name, flash): (&'static str, &'static str),
    staffing: Staffing,
) -> ApiResult<Response> {
    let contract_id = posts::get(st, actor, post_id).await?.contract_id;
    let to = format!("/contracts/{contract_id}/posts");
    match settle(&ui, jar, r, &to, flash, name)? {
        Ok(done) => Ok(done),
        Err(forms) => {
            let form = PostForm::default();
            page(st, actor, ui, contract_id, form, (forms, staffing)).await
        }
    }
}

/// `POST /posts/{id}/assignments`.
pub async fn assign(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::StaffPosts>,
    _seen: Seen<kind::Post>,
    ui: Ui,
    Path(post_id): Path<Uuid>,
    Form(mut form): Form<AssignForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewAssignment {
        worker_name: form.worker_name.clone(),
        qualification: f
            .choice("qualification", &form.qualification, Qualification::parse)
            .unwrap_or(Qualification::None),
        certificate_no: f.opt_text(&form.certificate_no),
        id_number: std::mem::take(&mut form.id_number).trim().to_string(),
        from_date: f.date("from_date", &form.from_date),
    };
    let r = match f.finish() {
        Ok(()) => posts::assign(&st, &actor, post_id, new).await,
        Err(e) => Err(e),
    };
    let staffing = Staffing {
        target: Some(post_id),
        assign: form,
        ..Staffing::default()
    };
    let to = ("assign", "flash-worker-assigned");
    answer((&st, &actor, ui, jar), post_id, r, to, staffing).await
}

/// `POST /posts/{id}/assignments/{aid}/end`.
pub async fn end(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::StaffPosts>,
    _seen: Seen<kind::Post>,
    ui: Ui,
    Path((post_id, aid)): Path<(Uuid, Uuid)>,
    Form(form): Form<EndForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let to_date = f.date("to_date", &form.to_date);
    let r = match f.finish() {
        Ok(()) => posts::end_assignment(&st, &actor, post_id, aid, EndAssignment { to_date }).await,
        Err(e) => Err(e),
    };
    let staffing = Staffing {
        target: Some(aid),
        end: form,
        ..Staffing::default()
    };
    let to = ("end", "flash-assignment-ended");
    answer((&st, &actor, ui, jar), post_id, r, to, staffing).await
}
