//! The landing page of every role: its figures, actions and, for the team
//! lead, the team with its caseload against the norm.

use crate::http::context::Caller;
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::{Arg, Lang, Tr};
use crate::ui::charts::bar_chart;
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use spire_domain::{CompanyId, Role};
use spire_store::{CompanyContactRow, CompanyRow};

/// A figure on a home page: a number with its label and where it leads.
pub struct Figure {
    pub label: String,
    pub value: String,
    pub href: String,
    /// Asks for attention (offers waiting, youth without a consultant).
    pub alert: bool,
}

impl Figure {
    fn new(label: String, value: impl ToString, href: impl Into<String>) -> Figure {
        Figure {
            label,
            value: value.to_string(),
            href: href.into(),
            alert: false,
        }
    }
}

/// A member of the team as the team lead sees them.
pub struct TeamLine {
    pub name: String,
    pub role: String,
    pub fte: String,
    pub caseload: i64,
    /// A consultant with more youth than the norm.
    pub over_norm: bool,
}

#[derive(Template)]
#[template(path = "account/home.html")]
pub struct HomeView {
    pub ctx: PageCtx,
    pub greeting: String,
    pub intro: String,
    pub figures: Vec<Figure>,
    pub actions: Vec<(String, String)>,
    pub team: Vec<TeamLine>,
    pub chart: Option<String>,
    pub company: Option<(CompanyRow, Vec<CompanyContactRow>)>,
    /// For programme staff, the home page leads with the week: what is due
    /// (the first lines; the whole week is one click away).
    pub week: Vec<crate::courses::pages::WeekLine>,
    pub week_summary: Option<String>,
    /// A consultant's or psychologist's own team and FTE, or that they have none yet.
    pub my_team: Option<String>,
}

/// How many of the week's lines the home page shows.
const WEEK_LINES_ON_HOME: usize = 8;

pub async fn home(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let scope = user.scope(&context);
    let role = user.user.role();
    let mut view = HomeView {
        ctx: page_ctx(&context, &user, "/home"),
        greeting: tr.t_args(
            "home-greeting",
            &[("name", Arg::Text(user.user.display_name.clone()))],
        ),
        intro: tr.t(&format!("home-intro-{}", role.code().replace('_', "-"))),
        figures: Vec::new(),
        actions: Vec::new(),
        team: Vec::new(),
        chart: None,
        company: None,
        week: Vec::new(),
        week_summary: None,
        my_team: None,
    };
    let db = state.db();
    match role {
        Role::Caseworker => {
            // The trial intake first: it is the way into the programme.
            if let Some(intake) = db.intake_summary(&scope).await? {
                let trial = intake.trial_id;
                view.actions.push((
                    format!("/trials/{trial}/intake"),
                    tr.t_args(
                        "home-trial-intake",
                        &[("trial", Arg::Text(intake.trial_name))],
                    ),
                ));
                let mut waiting = Figure::new(
                    tr.t("home-offers-awaiting"),
                    intake.offers_awaiting,
                    format!("/trials/{trial}/take-up"),
                );
                waiting.alert = intake.offers_awaiting > 0;
                view.figures.push(waiting);
            }
            let mine = db.search_youth(&scope, state.key(), "", 1, 1).await?;
            view.figures.push(Figure::new(
                tr.t("home-my-registrations"),
                mine.total.to_string(),
                "/youth",
            ));
            view.actions
                .push(("/youth/new".into(), tr.t("nav-youth-new")));
        }
        Role::Consultant | Role::Psychologist | Role::TeamLead => {
            let today = crate::i18n::today_in_copenhagen();
            let week = db.consultant_week(&scope, today).await?;
            view.week_summary = Some(tr.t_args(
                "week-summary",
                &[
                    ("youth", Arg::Number(week.youth.len() as i64)),
                    ("items", Arg::Number(week.items.len() as i64)),
                ],
            ));
            view.week = crate::courses::pages::week_lines(tr, &week);
            view.week.truncate(WEEK_LINES_ON_HOME);
            let youth = db.search_youth(&scope, state.key(), "", 1, 1).await?;
            let companies = db.search_companies(&scope, "", 500).await?;
            let team = db.team_members(&scope).await?;
            let my_caseload = team
                .iter()
                .find(|m| m.user_id == user.user.id)
                .map(|m| m.caseload)
                .unwrap_or(0);
            view.figures.push(Figure::new(
                tr.t("home-youth-in-programme"),
                youth.total.to_string(),
                "/youth",
            ));
            if role != Role::TeamLead {
                let mine = team.iter().find(|m| m.user_id == user.user.id);
                view.my_team = Some(match mine {
                    Some(m) => tr.t_args(
                        "home-my-team",
                        &[
                            ("team", Arg::Text(m.team_name.clone())),
                            ("fte", Arg::Text(tr.number(m.fte, 2))),
                        ],
                    ),
                    None => tr.t("home-no-team"),
                });
                view.figures.push(Figure::new(
                    tr.t("home-my-caseload"),
                    my_caseload.to_string(),
                    "/youth",
                ));
            }
            view.figures.push(Figure::new(
                tr.t("home-companies"),
                companies.len().to_string(),
                "/companies",
            ));
            if role == Role::TeamLead {
                // The norm of the team's year, from the programme's rules.
                let overview = db.team_overview(&scope, today).await?;
                let norm = overview.norm;
                let mut unassigned = Figure::new(
                    tr.count("home-unassigned", overview.unassigned),
                    overview.unassigned,
                    "/team",
                );
                unassigned.alert = overview.unassigned > 0;
                view.figures.push(unassigned);
                // The norm counts young people in the programme (an open
                // course), as the team page does.
                let in_programme = |user_id: i64| {
                    overview
                        .consultants
                        .iter()
                        .find(|c| c.user_id == user_id)
                        .map_or(0, |c| c.youth)
                };
                let consultants: Vec<_> = team.iter().filter(|m| m.role == "consultant").collect();
                let bars: Vec<(String, f64)> = consultants
                    .iter()
                    .map(|m| (m.display_name.clone(), in_programme(m.user_id) as f64))
                    .collect();
                view.chart = Some(bar_chart(
                    &tr.t("home-caseload-chart"),
                    &bars,
                    Some((norm as f64, &tr.count("home-caseload-norm", norm))),
                ));
                view.team = team
                    .iter()
                    .map(|m| TeamLine {
                        name: m.display_name.clone(),
                        role: tr.t(&format!("role-{}", m.role.replace('_', "-"))),
                        fte: format!("{:.1}", m.fte)
                            .replace('.', if context.lang == Lang::Da { "," } else { "." }),
                        caseload: in_programme(m.user_id),
                        // A part-time consultant's norm is the team's scaled by their FTE.
                        over_norm: m.role == "consultant"
                            && in_programme(m.user_id) as f64 > (norm as f64 * m.fte).round(),
                    })
                    .collect();
                view.actions
                    .push(("/access-log".into(), tr.t("nav-access-log")));
            }
        }
        Role::CompanyContact => {
            if let Some(company) = db.search_companies(&scope, "", 1).await?.into_iter().next() {
                view.company = Some(db.get_company(&scope, CompanyId::new(company.id)).await?);
            }
        }
        Role::Youth => {
            view.actions.push(("/me".into(), tr.t("nav-my-record")));
            view.actions
                .push(("/me/access-log".into(), tr.t("nav-my-access-log")));
        }
        Role::Researcher | Role::ProgrammeOffice | Role::Admin => {
            let overview = db.municipality_overview().await?;
            let youth: i64 = overview.iter().map(|m| m.youth).sum();
            let companies: i64 = overview.iter().map(|m| m.companies).sum();
            view.figures.push(Figure::new(
                tr.t("home-municipalities"),
                overview.len().to_string(),
                "/dashboard",
            ));
            view.figures.push(Figure::new(
                tr.t("home-youth-in-programme"),
                youth.to_string(),
                "/dashboard",
            ));
            view.figures.push(Figure::new(
                tr.t("home-companies"),
                companies.to_string(),
                "/dashboard",
            ));
            if role == Role::Admin {
                let users = db.list_users().await?;
                view.figures.push(Figure::new(
                    tr.t("home-users"),
                    users.len().to_string(),
                    "/admin/users",
                ));
                view.actions
                    .push(("/admin/users".into(), tr.t("nav-users")));
            }
        }
    }
    Ok(render(&view))
}
