//! After the event: each youth ranks the companies they met, each company
//! marks the youth it would welcome (in order) and its places, then staff run
//! the engine (youth-proposing deferred acceptance, the programme's
//! mechanism) and may override one result with a logged reason.
//!
//! The choices close when the match has run, so the stored preferences are
//! always the ones the stored result came from; the run keeps a digest of
//! them, and the preferences export in `spire match`'s input format lets
//! anyone run the engine again and compare.

use super::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use spire_domain::event::{OVERRIDE_REASON_MAX, PLACES_MAX, choosing_open};
use spire_matching::{Explanation, Instance, Matching, check_stability, explain_all};

/// What a youth or a company may choose from, and what they chose.
#[derive(Debug, Clone, Serialize)]
pub struct Choices {
    /// Who they met at the event: (id, name), in the order of the grid.
    pub met: Vec<(i64, String)>,
    /// Their order so far (ids).
    pub chosen: Vec<i64>,
    /// A company's places (`None`: not said yet).
    pub places: Option<i64>,
    /// Whether choosing is open today (else the reason's problem).
    pub open: bool,
    pub deadline: String,
}

/// One youth's result in the latest run.
#[derive(Debug, Clone, Serialize)]
pub struct MatchLine {
    pub youth_id: i64,
    pub youth_name: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    /// The engine's company when an override changed it.
    pub engine_company_name: Option<String>,
    pub override_reason: Option<String>,
    /// The engine's account of the result, for the explanation in the
    /// youth's language (rendered by the web layer).
    #[serde(skip)]
    pub explanation: Option<Explanation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchView {
    pub run_at: i64,
    pub input_digest: String,
    pub lines: Vec<MatchLine>,
    /// Whether the result as it stands (with overrides) is stable; when it
    /// is not, `instability` says why in words of the engine.
    pub stable: bool,
    /// Why not, in the engine's terms (rendered with names by the web layer).
    #[serde(skip)]
    pub instability: Option<spire_matching::Instability>,
    /// Company and youth names by the engine's index, for rendering.
    #[serde(skip)]
    pub company_names: Vec<String>,
    #[serde(skip)]
    pub youth_names: Vec<String>,
}

/// The event's preferences in `spire match`'s input format.
#[derive(Debug, Clone, Serialize)]
pub struct PreferenceExport {
    pub youth: Vec<ExportYouth>,
    pub companies: Vec<ExportCompany>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportYouth {
    pub id: String,
    pub prefs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportCompany {
    pub id: String,
    pub capacity: i64,
    pub prefs: Vec<String>,
}

/// The stored preferences of an event as the engine's instance: youth and
/// accepted companies by id order.
struct Stored {
    youth: Vec<(i64, String)>,
    companies: Vec<(i64, String, i64)>,
    youth_prefs: Vec<Vec<u32>>,
    company_prefs: Vec<Vec<u32>>,
}

impl Stored {
    fn instance(&self) -> Result<Instance> {
        Instance::new(
            &self.youth_prefs,
            &self.company_prefs,
            self.companies.iter().map(|c| c.2 as u32).collect(),
        )
        .map_err(|e| Error::Corrupt(format!("event preferences: {e}")))
    }

    fn export(&self) -> PreferenceExport {
        PreferenceExport {
            youth: self
                .youth
                .iter()
                .zip(&self.youth_prefs)
                .map(|((id, _), prefs)| ExportYouth {
                    id: id.to_string(),
                    prefs: prefs
                        .iter()
                        .map(|&c| self.companies[c as usize].0.to_string())
                        .collect(),
                })
                .collect(),
            companies: self
                .companies
                .iter()
                .zip(&self.company_prefs)
                .map(|((id, _, places), prefs)| ExportCompany {
                    id: id.to_string(),
                    capacity: *places,
                    prefs: prefs
                        .iter()
                        .map(|&y| self.youth[y as usize].0.to_string())
                        .collect(),
                })
                .collect(),
        }
    }

    fn digest(&self) -> String {
        let json = serde_json::to_vec(&self.export()).expect("plain data serialises");
        hex::encode(Sha256::digest(json))
    }
}

macro_rules! stored_preferences {
    ($conn:expr, $event:expr) => {{
        let youth: Vec<(i64, String)> = sqlx::query_as(
            "SELECT y.id, y.first_name || ' ' || y.last_name FROM event_youth ey JOIN youth y ON y.id = ey.youth_id \
             WHERE ey.event_id = $1 ORDER BY y.id",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        let companies: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT c.id, c.name, COALESCE(ec.places, 0) FROM event_companies ec JOIN companies c ON c.id = ec.company_id \
             WHERE ec.event_id = $1 AND ec.status = 'accepted' ORDER BY c.id",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        let rankings: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT youth_id, company_id FROM event_rankings WHERE event_id = $1 ORDER BY youth_id, rank",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        let welcomes: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT company_id, youth_id FROM event_welcomes WHERE event_id = $1 ORDER BY company_id, rank",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        let youth_at = |id: i64| youth.iter().position(|y| y.0 == id);
        let company_at = |id: i64| companies.iter().position(|c| c.0 == id);
        let mut youth_prefs = vec![Vec::new(); youth.len()];
        for (y, c) in rankings {
            if let (Some(y), Some(c)) = (youth_at(y), company_at(c)) {
                youth_prefs[y].push(c as u32);
            }
        }
        let mut company_prefs = vec![Vec::new(); companies.len()];
        for (c, y) in welcomes {
            if let (Some(c), Some(y)) = (company_at(c), youth_at(y)) {
                company_prefs[c].push(y as u32);
            }
        }
        Stored {
            youth,
            companies,
            youth_prefs,
            company_prefs,
        }
    }};
}

/// The latest run of an event: (id, run_at, digest).
macro_rules! latest_run {
    ($conn:expr, $event:expr) => {{
        let run: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, run_at, input_digest FROM match_runs WHERE event_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind($event)
        .fetch_optional(&mut *$conn)
        .await?;
        run
    }};
}

/// Choosing is open for the viewer: the window for youth and companies;
/// staff may enter choices said to them until the match runs.
fn check_open(viewer: Viewer, event: &EventRow, matched: bool) -> Result<()> {
    if matched {
        return Err(one("choices", Problem::CallsRecorded));
    }
    let today = crate::internships::stored_date(&crate::networks::today())?;
    let date = crate::internships::stored_date(&event.event_date)?;
    let deadline = crate::internships::stored_date(&event.ranking_deadline)?;
    match (viewer, choosing_open(today, date, deadline)) {
        (_, Ok(())) => Ok(()),
        (Viewer::Staff { .. }, Err(Problem::DeadlinePassed)) => Ok(()),
        (_, Err(problem)) => Err(one("choices", problem)),
    }
}

impl Db {
    /// What a youth (their own, or staff for `youth`) may rank and has ranked.
    pub async fn youth_choices(
        &self,
        scope: &Scope,
        id: EventId,
        youth: Option<YouthId>,
    ) -> Result<Choices> {
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            let event = require_event!(&mut *conn, id, viewer);
            let youth_id = match (viewer, youth) {
                (Viewer::Youth { youth, .. }, _) => youth,
                (Viewer::Staff { .. }, Some(y)) => y.get(),
                (Viewer::Staff { .. }, None) => return Err(one("youth_id", Problem::Required)),
                _ => return Err(Error::NotFound),
            };
            let met: Vec<(i64, String)> = sqlx::query_as(
                "SELECT c.id, c.name FROM event_grid g JOIN companies c ON c.id = g.company_id \
                 WHERE g.event_id = $1 AND g.youth_id = $2 ORDER BY g.round",
            )
            .bind(id.get())
            .bind(youth_id)
            .fetch_all(&mut *conn)
            .await?;
            let chosen: Vec<i64> = sqlx::query_scalar(
                "SELECT company_id FROM event_rankings WHERE event_id = $1 AND youth_id = $2 ORDER BY rank",
            )
            .bind(id.get())
            .bind(youth_id)
            .fetch_all(&mut *conn)
            .await?;
            let open = check_open(viewer, &event, event.matched).is_ok();
            Ok(Choices {
                met,
                chosen,
                places: None,
                open,
                deadline: event.ranking_deadline,
            })
        })
    }

    /// Saves a youth's order of the companies they met (best first).
    pub async fn rank_companies(
        &self,
        scope: &Scope,
        id: EventId,
        youth: Option<YouthId>,
        companies: &[CompanyId],
    ) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let viewer = viewer!(&mut *tx, scope);
            let event = require_event!(&mut *tx, id, viewer);
            let youth_id = match (viewer, youth) {
                (Viewer::Youth { youth, .. }, _) => youth,
                (Viewer::Staff { .. }, Some(y)) => y.get(),
                (Viewer::Staff { .. }, None) => return Err(one("youth_id", Problem::Required)),
                _ => return Err(Error::NotFound),
            };
            check_open(viewer, &event, event.matched)?;
            let met: Vec<i64> = sqlx::query_scalar(
                "SELECT company_id FROM event_grid WHERE event_id = $1 AND youth_id = $2",
            )
            .bind(id.get())
            .bind(youth_id)
            .fetch_all(&mut *tx)
            .await?;
            if met.is_empty() && matches!(viewer, Viewer::Staff { .. }) {
                return Err(one("youth_id", Problem::NotAtEvent));
            }
            for (i, company) in companies.iter().enumerate() {
                if !met.contains(&company.get()) {
                    return Err(one("companies", Problem::NotMet));
                }
                if companies[..i].contains(company) {
                    return Err(one("companies", Problem::ChosenTwice));
                }
            }
            sqlx::query("DELETE FROM event_rankings WHERE event_id = $1 AND youth_id = $2")
                .bind(id.get())
                .bind(youth_id)
                .execute(&mut *tx)
                .await?;
            for (rank, company) in companies.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO event_rankings (event_id, youth_id, company_id, rank) VALUES ($1, $2, $3, $4)",
                )
                .bind(id.get())
                .bind(youth_id)
                .bind(company.get())
                .bind(rank as i64 + 1)
                .execute(&mut *tx)
                .await?;
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth_id),
                Some("event ranking")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// What a company (their contact's own, or staff for `company`) may mark:
    /// the youth who sat at its tables, first names only.
    pub async fn company_choices(
        &self,
        scope: &Scope,
        id: EventId,
        company: Option<CompanyId>,
    ) -> Result<Choices> {
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            let event = require_event!(&mut *conn, id, viewer);
            let company_id = match (viewer, company) {
                (Viewer::Company { company, .. }, _) => company,
                (Viewer::Staff { .. }, Some(c)) => c.get(),
                (Viewer::Staff { .. }, None) => return Err(one("company_id", Problem::Required)),
                _ => return Err(Error::NotFound),
            };
            let met: Vec<(i64, String)> = sqlx::query_as(
                "SELECT y.id, y.first_name FROM event_grid g JOIN youth y ON y.id = g.youth_id \
                 WHERE g.event_id = $1 AND g.company_id = $2 ORDER BY g.round, g.table_no",
            )
            .bind(id.get())
            .bind(company_id)
            .fetch_all(&mut *conn)
            .await?;
            let chosen: Vec<i64> = sqlx::query_scalar(
                "SELECT youth_id FROM event_welcomes WHERE event_id = $1 AND company_id = $2 ORDER BY rank",
            )
            .bind(id.get())
            .bind(company_id)
            .fetch_all(&mut *conn)
            .await?;
            let places: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT places FROM event_companies WHERE event_id = $1 AND company_id = $2",
            )
            .bind(id.get())
            .bind(company_id)
            .fetch_optional(&mut *conn)
            .await?;
            let open = check_open(viewer, &event, event.matched).is_ok();
            Ok(Choices {
                met,
                chosen,
                places: places.flatten(),
                open,
                deadline: event.ranking_deadline,
            })
        })
    }

    /// Saves whom a company would welcome (best first) and its places.
    pub async fn mark_youth(
        &self,
        scope: &Scope,
        id: EventId,
        company: Option<CompanyId>,
        youth: &[YouthId],
        places: i64,
    ) -> Result<()> {
        if !(0..=PLACES_MAX).contains(&places) {
            return Err(Error::Invalid(FieldError::out_of_range(
                "places", 0, PLACES_MAX,
            )));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let viewer = viewer!(&mut *tx, scope);
            let event = require_event!(&mut *tx, id, viewer);
            let company_id = match (viewer, company) {
                (Viewer::Company { company, .. }, _) => company,
                (Viewer::Staff { .. }, Some(c)) => c.get(),
                (Viewer::Staff { .. }, None) => return Err(one("company_id", Problem::Required)),
                _ => return Err(Error::NotFound),
            };
            check_open(viewer, &event, event.matched)?;
            let accepted: Option<String> = sqlx::query_scalar(
                "SELECT status FROM event_companies WHERE event_id = $1 AND company_id = $2",
            )
            .bind(id.get())
            .bind(company_id)
            .fetch_optional(&mut *tx)
            .await?;
            if accepted.as_deref() != Some("accepted") {
                return Err(one("company_id", Problem::NotInvited));
            }
            let met: Vec<i64> = sqlx::query_scalar(
                "SELECT youth_id FROM event_grid WHERE event_id = $1 AND company_id = $2",
            )
            .bind(id.get())
            .bind(company_id)
            .fetch_all(&mut *tx)
            .await?;
            for (i, y) in youth.iter().enumerate() {
                if !met.contains(&y.get()) {
                    return Err(one("youth", Problem::NotMet));
                }
                if youth[..i].contains(y) {
                    return Err(one("youth", Problem::ChosenTwice));
                }
            }
            sqlx::query("DELETE FROM event_welcomes WHERE event_id = $1 AND company_id = $2")
                .bind(id.get())
                .bind(company_id)
                .execute(&mut *tx)
                .await?;
            for (rank, y) in youth.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO event_welcomes (event_id, company_id, youth_id, rank) VALUES ($1, $2, $3, $4)",
                )
                .bind(id.get())
                .bind(company_id)
                .bind(y.get())
                .bind(rank as i64 + 1)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE event_companies SET places = $1 WHERE event_id = $2 AND company_id = $3",
            )
            .bind(places)
            .bind(id.get())
            .bind(company_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Runs the engine on the stored preferences and makes a call for each
    /// pair. A second run replaces the first only while no call is recorded.
    pub async fn run_match(&self, scope: &Scope, id: EventId) -> Result<()> {
        let municipality = staff_municipality(scope)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let event = require_event!(&mut *tx, id, Viewer::Staff { municipality });
            if event.event_date > crate::networks::today() {
                return Err(one("match", Problem::EventNotHeld));
            }
            // Locks the event: two runs at once would make two sets of calls.
            sqlx::query("UPDATE events SET id = id WHERE id = $1")
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            let recorded: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM event_calls WHERE event_id = $1 AND status NOT IN ('open', 'withdrawn')",
            )
            .bind(id.get())
            .fetch_one(&mut *tx)
            .await?;
            if recorded > 0 {
                return Err(one("match", Problem::CallsRecorded));
            }
            let stored = stored_preferences!(&mut *tx, id.get());
            let instance = stored.instance()?;
            let matching = spire_matching::youth_proposing(&instance);
            let run: i64 = sqlx::query_scalar(
                "INSERT INTO match_runs (event_id, input_digest, run_by, run_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(id.get())
            .bind(stored.digest())
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            // A pair the new run keeps keeps its call; other open calls are withdrawn.
            let open_calls: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT id, youth_id, company_id FROM event_calls WHERE event_id = $1 AND status = 'open'",
            )
            .bind(id.get())
            .fetch_all(&mut *tx)
            .await?;
            for (y, (youth_id, _)) in stored.youth.iter().enumerate() {
                let company = matching
                    .company_of(Youth(y as u32))
                    .map(|c| stored.companies[c.index()].0);
                sqlx::query(
                    "INSERT INTO match_results (run_id, youth_id, engine_company_id, company_id) VALUES ($1, $2, $3, $4)",
                )
                .bind(run)
                .bind(youth_id)
                .bind(company)
                .bind(company)
                .execute(&mut *tx)
                .await?;
                let kept = open_calls
                    .iter()
                    .find(|(_, y, c)| y == youth_id && Some(*c) == company);
                for (call, y, _) in &open_calls {
                    if y == youth_id && Some(call) != kept.map(|k| &k.0) {
                        sqlx::query("UPDATE event_calls SET status = 'withdrawn' WHERE id = $1")
                            .bind(call)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                match (kept, company) {
                    (Some((call, _, _)), _) => {
                        sqlx::query("UPDATE event_calls SET run_id = $1 WHERE id = $2")
                            .bind(run)
                            .bind(call)
                            .execute(&mut *tx)
                            .await?;
                    }
                    (None, Some(company)) => {
                        sqlx::query(calls::INSERT_CALL_SQL)
                            .bind(id.get())
                            .bind(run)
                            .bind(youth_id)
                            .bind(company)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                    }
                    (None, None) => {}
                }
            }
            // Youth no longer at the event lose their open calls too.
            for (call, y, _) in &open_calls {
                if !stored.youth.iter().any(|(youth_id, _)| youth_id == y) {
                    sqlx::query("UPDATE event_calls SET status = 'withdrawn' WHERE id = $1")
                        .bind(call)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The latest result as the scope may see it: staff every youth, a
    /// youth their own line; `None` before the first run.
    pub async fn match_result(&self, scope: &Scope, id: EventId) -> Result<Option<MatchView>> {
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            require_event!(&mut *conn, id, viewer);
            let own = match viewer {
                Viewer::Staff { .. } => None,
                Viewer::Youth { youth, .. } => Some(youth),
                Viewer::Company { .. } => return Err(Error::NotFound),
            };
            let Some((run, run_at, input_digest)) = latest_run!(&mut *conn, id.get()) else {
                return Ok(None);
            };
            let stored = stored_preferences!(&mut *conn, id.get());
            let instance = stored.instance()?;
            let results: Vec<(i64, Option<i64>, Option<i64>, Option<String>)> = sqlx::query_as(
                "SELECT youth_id, engine_company_id, company_id, override_reason FROM match_results WHERE run_id = $1",
            )
            .bind(run)
            .fetch_all(&mut *conn)
            .await?;
            let company_index = |c: Option<i64>| {
                c.and_then(|c| stored.companies.iter().position(|x| x.0 == c))
                    .map(|i| Company(i as u32))
            };
            let result_of = |y: i64| results.iter().find(|r| r.0 == y);
            let final_matching = Matching::from_assignments(
                stored
                    .youth
                    .iter()
                    .map(|(y, _)| company_index(result_of(*y).and_then(|r| r.2)))
                    .collect(),
            );
            let engine_matching = Matching::from_assignments(
                stored
                    .youth
                    .iter()
                    .map(|(y, _)| company_index(result_of(*y).and_then(|r| r.1)))
                    .collect(),
            );
            let stability = check_stability(&instance, &final_matching);
            // An override may pair a youth with a company that did not list
            // them; the engine's own result still explains everyone else.
            let explanations = explain_all(&instance, &final_matching)
                .or_else(|_| explain_all(&instance, &engine_matching))
                .unwrap_or_default();
            let name_of = |c: Option<i64>| {
                c.and_then(|c| stored.companies.iter().find(|x| x.0 == c))
                    .map(|x| x.1.clone())
            };
            let lines = stored
                .youth
                .iter()
                .enumerate()
                .filter(|(_, (y, _))| own.is_none_or(|own| own == *y))
                .map(|(i, (y, name))| {
                    let (engine, company, reason) = result_of(*y)
                        .map(|r| (r.1, r.2, r.3.clone()))
                        .unwrap_or_default();
                    MatchLine {
                        youth_id: *y,
                        youth_name: name.clone(),
                        company_id: company,
                        company_name: name_of(company),
                        engine_company_name: if reason.is_some() {
                            name_of(engine)
                        } else {
                            None
                        },
                        override_reason: reason,
                        explanation: explanations.get(i).cloned(),
                    }
                })
                .collect();
            Ok(Some(MatchView {
                run_at,
                input_digest,
                lines,
                stable: stability.is_ok(),
                instability: stability.err(),
                company_names: stored.companies.iter().map(|c| c.1.clone()).collect(),
                youth_names: stored.youth.iter().map(|y| y.1.clone()).collect(),
            }))
        })
    }

    /// Gives a youth another company (or none) than the engine did, with a
    /// reason; their open call is withdrawn and a new one made.
    pub async fn override_match(
        &self,
        scope: &Scope,
        id: EventId,
        youth: YouthId,
        company: Option<CompanyId>,
        reason: &str,
    ) -> Result<()> {
        let municipality = staff_municipality(scope)?;
        let reason =
            required_text("reason", reason, OVERRIDE_REASON_MAX).map_err(Error::Invalid)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_event!(&mut *tx, id, Viewer::Staff { municipality });
            sqlx::query("UPDATE events SET id = id WHERE id = $1")
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            let Some((run, _, _)) = latest_run!(&mut *tx, id.get()) else {
                return Err(one("youth_id", Problem::NoMatchYet));
            };
            if let Some(company) = company {
                let accepted: Option<String> = sqlx::query_scalar(
                    "SELECT status FROM event_companies WHERE event_id = $1 AND company_id = $2",
                )
                .bind(id.get())
                .bind(company.get())
                .fetch_optional(&mut *tx)
                .await?;
                if accepted.as_deref() != Some("accepted") {
                    return Err(one("company_id", Problem::NotInvited));
                }
            }
            let recorded: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM event_calls WHERE event_id = $1 AND youth_id = $2 AND status NOT IN ('open', 'withdrawn')",
            )
            .bind(id.get())
            .bind(youth.get())
            .fetch_one(&mut *tx)
            .await?;
            if recorded > 0 {
                return Err(one("youth_id", Problem::CallRecorded));
            }
            let done = sqlx::query(
                "UPDATE match_results SET company_id = $1, override_reason = $2, override_by = $3, override_at = $4 \
                 WHERE run_id = $5 AND youth_id = $6",
            )
            .bind(company.map(|c| c.get()))
            .bind(&reason)
            .bind(scope.user_id)
            .bind(now)
            .bind(run)
            .bind(youth.get())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(one("youth_id", Problem::NotAtEvent));
            }
            sqlx::query(
                "UPDATE event_calls SET status = 'withdrawn' WHERE event_id = $1 AND youth_id = $2 AND status = 'open'",
            )
            .bind(id.get())
            .bind(youth.get())
            .execute(&mut *tx)
            .await?;
            if let Some(company) = company {
                sqlx::query(calls::INSERT_CALL_SQL)
                    .bind(id.get())
                    .bind(run)
                    .bind(youth.get())
                    .bind(company.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("match override")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The event's preferences in `spire match`'s input format (staff).
    pub async fn event_preferences(&self, scope: &Scope, id: EventId) -> Result<PreferenceExport> {
        let municipality = staff_municipality(scope)?;
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            require_event!(&mut *conn, id, Viewer::Staff { municipality });
            let stored = stored_preferences!(&mut *conn, id.get());
            Ok(stored.export())
        })
    }

    /// How many youth have ranked and how many companies have marked (staff).
    pub async fn event_choice_counts(&self, scope: &Scope, id: EventId) -> Result<(i64, i64)> {
        let municipality = staff_municipality(scope)?;
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            require_event!(&mut *conn, id, Viewer::Staff { municipality });
            Ok(sqlx::query_as(
                "SELECT (SELECT COUNT(DISTINCT youth_id) FROM event_rankings WHERE event_id = $1), \
                 (SELECT COUNT(DISTINCT company_id) FROM event_welcomes WHERE event_id = $1)",
            )
            .bind(id.get())
            .fetch_one(&mut *conn)
            .await?)
        })
    }
}
