//! `TestApp`: the real router over a fresh database with a small, known
//! programme in two municipalities (Roskilde 265 and Horsens 615).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt;
use spire_domain::TrialId;
use spire_domain::{
    AgendaItemId, CallId, CompanyId, Cpr, Cvr, EventId, GroupId, InternshipId, MeetingId,
    NetworkMeetingId, Role, YouthId,
};
use spire_store::{Db, NewCompany, NewUser, NewYouth, Scope, ServerKey};
use spire_web::{AppState, WebConfig};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";
/// CPR numbers used in the fixture; no response or log may ever contain them.
pub const ROSKILDE_CPR: &str = "010203-4002";
pub const HORSENS_CPR: &str = "150599-1235";
pub const ROSKILDE_YOUTH: &str = "Roskildehansen";
pub const ROSKILDE_COMPANY: &str = "Roskilde Cykler";

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub key: ServerKey,
    pub users: HashMap<String, i64>,
    pub roskilde_youth: YouthId,
    pub horsens_youth: YouthId,
    pub roskilde_company: CompanyId,
    /// A planned internship of the Roskilde youth at the Roskilde company.
    pub roskilde_internship: InternshipId,
    /// A durability follow-up of another Roskilde youth (exited to a job).
    pub roskilde_follow_up: i64,
    /// The consultant's task after the Roskilde youth ended an internship.
    pub roskilde_task: i64,
    /// The youth network of Roskilde: a group with the Roskilde youth, its
    /// weekly meetings from today, an agenda item below the first.
    pub roskilde_group: GroupId,
    pub roskilde_meeting: MeetingId,
    pub roskilde_agenda_item: AgendaItemId,
    /// A meeting of Roskilde's company network (the company is a member).
    pub roskilde_network_meeting: NetworkMeetingId,
    /// The secret token of the Roskilde consultant's group calendar feed.
    pub roskilde_feed: String,
    /// An event held today, matched: the fixture youth with the fixture company.
    pub roskilde_event: EventId,
    pub roskilde_call: CallId,
    /// Roskilde's one-year onboarding plan, and its first milestone.
    pub onboarding_plan: i64,
    pub onboarding_item: i64,
    /// A finished fidelity review of Roskilde's last half-year.
    pub fidelity_review: i64,
    /// An open trial across both municipalities.
    pub trial: TrialId,
    /// Every response body and header the test saw, for the CPR scan.
    pub seen: Arc<Mutex<Vec<String>>>,
    /// Scans the server log for CPR numbers when the test is done (only
    /// its drop matters).
    #[allow(dead_code)]
    pub log_check: LogCheck,
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A logged-in browser: its session cookie and CSRF token.
#[derive(Clone)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
    pub lang: Option<&'static str>,
}

/// The login of the fixture user with `role` in `place` ("roskilde", "horsens" or "" for cross-municipal).
pub fn login_of(role: Role, place: &str) -> String {
    if role.is_municipal() {
        format!("{}.{place}", role.code())
    } else {
        role.code().to_string()
    }
}

impl TestApp {
    /// An app on a fresh SQLite file; on a fresh PostgreSQL database (as the
    /// application's role, under row-level security) when
    /// `SPIRE_TEST_WEB_DB=postgres` — `.ci/run` runs the suite both ways.
    pub async fn new() -> TestApp {
        if std::env::var("SPIRE_TEST_WEB_DB").as_deref() == Ok("postgres") {
            let db = spire_store::testing::fresh_postgres("web")
                .await
                .unwrap()
                .expect("SPIRE_TEST_WEB_DB=postgres needs SPIRE_TEST_POSTGRES_URL");
            return TestApp::on(db).await;
        }
        let (db, _path) = spire_store::testing::fresh_sqlite().await.unwrap();
        TestApp::on(db).await
    }

    pub async fn on(db: Db) -> TestApp {
        capture_server_log();
        let key = ServerKey::from_hex(&ServerKey::generate_hex()).unwrap();
        spire_store::testing::roskilde_and_horsens(&db).await;
        let mut users = HashMap::new();
        let mut companies = HashMap::new();
        for (code, place) in [(265, "roskilde"), (615, "horsens")] {
            let lead = db
                .create_user(
                    &spire_store::Actor::command("test"),
                    &new_user(&login_of(Role::TeamLead, place), Role::TeamLead, Some(code)),
                )
                .await
                .unwrap();
            let staff = Scope::new(lead, Role::TeamLead, Some(code), "fixture");
            let name = if code == 265 {
                ROSKILDE_COMPANY.to_string()
            } else {
                "Horsens Tømrer".to_string()
            };
            let company = NewCompany {
                cvr: Cvr::parse("cvr", "10150817").unwrap(),
                name,
                industry: "Detail".into(),
                address: None,
            };
            let company_id = db.create_company(&staff, &company).await.unwrap();
            db.add_company_contact(
                &staff,
                company_id,
                "Per Jensen",
                Some("Værkfører"),
                None,
                None,
                None,
            )
            .await
            .unwrap();
            companies.insert(place, company_id);
            users.insert(login_of(Role::TeamLead, place), lead);
        }
        for role in Role::ALL {
            for (code, place) in [(265, "roskilde"), (615, "horsens")] {
                let login = login_of(role, place);
                if users.contains_key(&login) {
                    continue;
                }
                let mut user = new_user(&login, role, role.is_municipal().then_some(code));
                if role == Role::CompanyContact {
                    user.company_id = Some(companies[place].get());
                }
                users.insert(
                    login,
                    db.create_user(&spire_store::Actor::command("test"), &user)
                        .await
                        .unwrap(),
                );
            }
        }
        let mut youth_ids = Vec::new();
        for (code, place, cpr, last) in [
            (265, "roskilde", ROSKILDE_CPR, ROSKILDE_YOUTH),
            (615, "horsens", HORSENS_CPR, "Horsensen"),
        ] {
            let caseworker = Scope::new(
                users[&login_of(Role::Caseworker, place)],
                Role::Caseworker,
                Some(code),
                "fixture",
            );
            let youth = NewYouth {
                cpr: Cpr::parse("cpr", cpr).unwrap(),
                first_name: "Ida".into(),
                last_name: last.into(),
                phone: None,
                email: None,
                interests: "cykler, mad".into(),
                strengths: "mødestabil".into(),
                consultant_id: Some(users[&login_of(Role::Consultant, place)]),
                user_id: Some(users[&login_of(Role::Youth, place)]),
                outside_trial: None,
            };
            youth_ids.push(db.create_youth(&caseworker, &key, &youth).await.unwrap());
        }
        let (roskilde_internship, roskilde_follow_up, roskilde_task) =
            programme_fixture(&db, &key, &users, &youth_ids, &companies).await;
        let network = network_fixture(&db, &key, &users, youth_ids[0], companies["roskilde"]).await;
        let (roskilde_event, roskilde_call) =
            event_fixture(&db, &users, youth_ids[0], companies["roskilde"]).await;
        let trial = db
            .create_trial(
                &key,
                &spire_store::NewTrial {
                    name: "Spire-forsøget".into(),
                    target_size: 500,
                    design: spire_trial::Design::stratified_blocks("spire-test", &["municipality"]),
                    settings: spire_store::TrialSettings::default(),
                },
                None,
            )
            .await
            .unwrap()
            .id;
        let office = Scope::new(
            users[&login_of(Role::ProgrammeOffice, "")],
            Role::ProgrammeOffice,
            None,
            "fixture",
        );
        let onboarding_plan = db.start_onboarding(&office, 265, today()).await.unwrap();
        let onboarding_item = db
            .onboarding_plan(&office, onboarding_plan, today())
            .await
            .unwrap()
            .items[0]
            .id;
        let fidelity_review = fidelity_fixture(&db, &office, &mut users).await;
        let state = AppState::new(db.clone(), key.clone(), WebConfig::default());
        TestApp {
            router: spire_web::router(state),
            db,
            key,
            users,
            roskilde_youth: youth_ids[0],
            horsens_youth: youth_ids[1],
            roskilde_company: companies["roskilde"],
            roskilde_internship,
            roskilde_follow_up,
            roskilde_task,
            roskilde_group: network.0,
            roskilde_meeting: network.1,
            roskilde_agenda_item: network.2,
            roskilde_network_meeting: network.3,
            roskilde_feed: network.4,
            roskilde_event,
            roskilde_call,
            onboarding_plan,
            onboarding_item,
            fidelity_review,
            trial,
            seen: Arc::default(),
            log_check: LogCheck,
        }
    }

    /// Randomises a (new) youth in Roskilde into the trial: the allocation's id.
    pub async fn allocate_in_roskilde(&self) -> i64 {
        let scope = Scope::new(
            self.users[&login_of(Role::Caseworker, "roskilde")],
            Role::Caseworker,
            Some(265),
            "fixture",
        );
        let intake = spire_store::Intake {
            cpr: Cpr::parse("cpr", "150504-4321").unwrap(),
            first_name: "Alma".into(),
            last_name: "Lodtrukket".into(),
            municipality_code: 265,
            benefit: spire_domain::Benefit::Kontanthjaelp,
            readiness: spire_domain::Readiness::Jobparat,
            has_qualification: false,
            strata: Default::default(),
            intake_date: time::OffsetDateTime::now_utc().date(),
            already_registered_decision: None,
        };
        match self
            .db
            .randomise(&scope, &self.key, self.trial, &intake, None)
            .await
            .unwrap()
        {
            spire_store::Randomisation::Allocated(receipt) => receipt.allocation_id,
            other => panic!("expected an allocation, got {other:?}"),
        }
    }

    /// No response or header this app sent held any of these CPR numbers
    /// (with or without the hyphen).
    pub fn assert_never_shown(&self, cprs: &[String]) {
        let seen = self.seen.lock().unwrap().join("\n");
        assert!(seen.len() > 1000, "nothing was recorded");
        for cpr in cprs {
            assert!(
                !seen.contains(cpr.as_str()) && !seen.contains(&cpr.replace('-', "")),
                "a CPR number was sent to a client"
            );
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let uri = request.uri().to_string();
        let response: Response<Body> = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).to_string();
        // Every text comes from Fluent: a message id used in code but missing from a file shows here.
        if let Some(at) = body.find("Unknown localization key") {
            panic!("{uri}: {}", &body[at..(at + 80).min(body.len())]);
        }
        let mut seen = self.seen.lock().unwrap();
        seen.push(uri);
        seen.push(format!("{headers:?}"));
        seen.push(body.clone());
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A session made directly in the store (fast; the log-in form has its own tests).
    pub async fn browser(&self, login: &str) -> Browser {
        let secret = self
            .db
            .create_session(self.users[login], None)
            .await
            .unwrap();
        Browser {
            cookie: format!("spire_session={}", secret.token),
            csrf: secret.csrf_token,
            lang: None,
        }
    }

    pub async fn token(&self, login: &str) -> String {
        self.db
            .create_api_token(
                &spire_store::Actor::command("test"),
                login,
                &spire_store::NewToken {
                    label: "test",
                    days: 1,
                    form_nonce: None,
                },
            )
            .await
            .map(|made| match made {
                spire_store::TokenCreated::New(secret) => secret.0,
                spire_store::TokenCreated::AlreadyMade => unreachable!("no form value"),
            })
            .unwrap()
    }

    pub async fn get(&self, path: &str, browser: Option<&Browser>) -> Reply {
        let mut request = Request::get(path).header(header::HOST, "localhost");
        if let Some(b) = browser {
            request = request.header(header::COOKIE, cookies(b));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Posts a form as the browser would: same Origin, its CSRF token added.
    pub async fn post_form(
        &self,
        path: &str,
        browser: Option<&Browser>,
        fields: &[(&str, &str)],
    ) -> Reply {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(b) = browser {
            all.push(("csrf", &b.csrf));
        }
        let body = serde_urlencoded::to_string(&all).unwrap();
        let mut request = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(b) = browser {
            request = request.header(header::COOKIE, cookies(b));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        lang: &str,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost")
            .header(header::ACCEPT_LANGUAGE, lang);
        if let Some(t) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }
}

fn cookies(browser: &Browser) -> String {
    match browser.lang {
        Some(lang) => format!("{}; spire_lang={lang}", browser.cookie),
        None => browser.cookie.clone(),
    }
}

fn new_user(login: &str, role: Role, municipality: Option<i64>) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: format!("Test {login}"),
        password: PASSWORD.into(),
        role,
        municipality_code: municipality,
        company_id: None,
    }
}

/// Courses and internships for both youth; in Roskilde also an exited youth
/// with follow-ups, and an internship the youth ended (a task).
async fn programme_fixture(
    db: &Db,
    key: &ServerKey,
    users: &HashMap<String, i64>,
    youth_ids: &[YouthId],
    companies: &HashMap<&str, CompanyId>,
) -> (InternshipId, i64, i64) {
    use spire_domain::Readiness;
    let today = time::OffsetDateTime::now_utc().date();
    let days = time::Duration::days;
    let mut internships = Vec::new();
    for (i, (code, place)) in [(265, "roskilde"), (615, "horsens")]
        .into_iter()
        .enumerate()
    {
        let consultant = Scope::new(
            users[&login_of(Role::Consultant, place)],
            Role::Consultant,
            Some(code),
            "fixture",
        );
        db.open_course(
            &consultant,
            youth_ids[i],
            Readiness::Jobparat,
            today - days(10),
        )
        .await
        .unwrap();
        let new = |start: time::Date| spire_store::NewInternship {
            youth: youth_ids[i],
            company: companies[place],
            contact_id: None,
            function: "Lager".into(),
            start,
            end: start + days(20),
            hours_per_week: 30.0,
            schedule: String::new(),
        };
        internships.push(
            db.create_internship(&consultant, &new(today))
                .await
                .unwrap(),
        );
        if code == 265 {
            let ended = db
                .create_internship(&consultant, &new(today + days(60)))
                .await
                .unwrap();
            let own = Scope::new(
                users[&login_of(Role::Youth, place)],
                Role::Youth,
                Some(code),
                "fixture",
            );
            db.end_own_internship(&own, ended, "Ikke noget for mig")
                .await
                .unwrap();
            let exited = db
                .create_youth(
                    &consultant,
                    key,
                    &NewYouth {
                        cpr: spire_store::testing::cpr(4711),
                        first_name: "Bo".into(),
                        last_name: "Afsluttet".into(),
                        phone: None,
                        email: None,
                        interests: String::new(),
                        strengths: String::new(),
                        consultant_id: Some(consultant.user_id()),
                        user_id: None,
                        outside_trial: None,
                    },
                )
                .await
                .unwrap();
            // Begun 200 days ago, so always in the last half-year: Roskilde's
            // programme has a half-year behind it (a fidelity review needs
            // one) and is still in its first year (the caseload norm).
            db.open_course(&consultant, exited, Readiness::Jobparat, today - days(200))
                .await
                .unwrap();
            db.exit_course(
                &consultant,
                exited,
                today - days(95),
                spire_domain::course::ExitReason::Job,
                None,
            )
            .await
            .unwrap();
        }
    }
    let roskilde = Scope::new(
        users[&login_of(Role::Consultant, "roskilde")],
        Role::Consultant,
        Some(265),
        "fixture",
    );
    let week = db.consultant_week(&roskilde, today).await.unwrap();
    let follow_up = week
        .items
        .iter()
        .find(|i| i.kind == "follow_up_due")
        .expect("a follow-up due");
    let (_, follow_ups) = db
        .course(&roskilde, YouthId::new(follow_up.youth_id))
        .await
        .unwrap()
        .unwrap();
    let task = week
        .items
        .iter()
        .find(|i| i.kind == "task")
        .and_then(|i| i.task_id)
        .expect("a task");
    (internships[0], follow_ups[0].id, task)
}

/// Roskilde's networks: a group with the Roskilde youth and four weekly
/// meetings from today, two agenda items, the company in the company
/// network with a meeting and a contact person who logs in, and a group feed.
async fn network_fixture(
    db: &Db,
    key: &ServerKey,
    users: &HashMap<String, i64>,
    youth: YouthId,
    company: CompanyId,
) -> (GroupId, MeetingId, AgendaItemId, NetworkMeetingId, String) {
    let today = crate::support::today();
    let staff = Scope::new(
        users[&login_of(Role::Consultant, "roskilde")],
        Role::Consultant,
        Some(265),
        "fixture",
    );
    let group = db
        .create_group(
            &staff,
            &spire_store::NewGroup {
                name: "Mandagsholdet".into(),
                facilitator: Some(staff.user_id()),
                place: "Ungehuset".into(),
                start_time: time::macros::time!(16:00),
                duration_minutes: 90,
            },
        )
        .await
        .unwrap();
    db.join_group(&staff, group, youth, today - time::Duration::days(30))
        .await
        .unwrap();
    // Four weeks from the first day that is no holiday.
    let mut first = today;
    while spire_domain::network::holiday_on(first).is_some() {
        first += time::Duration::days(1);
    }
    let series = spire_domain::network::Series::new(
        first,
        first + time::Duration::weeks(3),
        time::macros::time!(16:00),
    )
    .unwrap();
    db.generate_meetings(&staff, group, &series).await.unwrap();
    let meetings = db.group(&staff, group).await.unwrap().meetings;
    let meeting = MeetingId::new(meetings[0].id);
    db.propose_agenda_item(&staff, meeting, "Velkomst")
        .await
        .unwrap();
    let item = db
        .propose_agenda_item(&staff, meeting, "Erfaringer fra praktikken")
        .await
        .unwrap();
    db.join_network(&staff, company, today - time::Duration::days(100))
        .await
        .unwrap();
    db.add_company_contact(
        &staff,
        company,
        "Kim Kontakt",
        None,
        None,
        None,
        Some(users[&login_of(Role::CompanyContact, "roskilde")]),
    )
    .await
    .unwrap();
    let network_meeting = db
        .create_network_meeting(
            &staff,
            &spire_store::NewNetworkMeeting {
                date: today + time::Duration::days(14),
                time: time::macros::time!(08:30),
                duration_minutes: 120,
                place: "Rådhuset".into(),
                topic: "Morgenmøde".into(),
            },
        )
        .await
        .unwrap();
    let feed = db
        .create_feed(
            &staff,
            key,
            spire_store::FeedSubject {
                kind: spire_store::FeedKind::Group,
                group: Some(group.get()),
            },
        )
        .await
        .unwrap();
    (group, meeting, item, network_meeting, feed)
}

/// An event today in Roskilde with the fixture company and youth, its grid
/// made, both sides' choices and the match run: the event and the call.
async fn event_fixture(
    db: &Db,
    users: &HashMap<String, i64>,
    youth: YouthId,
    company: CompanyId,
) -> (EventId, CallId) {
    let staff = Scope::new(
        users[&login_of(Role::Consultant, "roskilde")],
        Role::Consultant,
        Some(265),
        "fixture",
    );
    let event = db
        .create_event(
            &staff,
            &spire_store::NewEvent {
                title: "Forårsevent".into(),
                date: today(),
                time: time::macros::time!(13:00),
                place: "Ungehuset".into(),
                rounds: 2,
                meetings_per_youth: 1,
                ranking_deadline: today() + time::Duration::days(7),
                facilitators: vec![staff.user_id()],
            },
        )
        .await
        .unwrap();
    db.invite_company(&staff, event, company, 1).await.unwrap();
    db.answer_invitation(&staff, event, Some(company), true, 1)
        .await
        .unwrap();
    db.add_event_youth(&staff, event, youth, true)
        .await
        .unwrap();
    db.generate_grid(&staff, event).await.unwrap();
    db.rank_companies(&staff, event, Some(youth), &[company])
        .await
        .unwrap();
    db.mark_youth(&staff, event, Some(company), &[youth], 1)
        .await
        .unwrap();
    db.run_match(&staff, event).await.unwrap();
    let call = db.calls(&staff, Some(event)).await.unwrap()[0].id;
    (event, CallId::new(call))
}

/// Today in Copenhagen, as the pages see it.
pub fn today() -> time::Date {
    spire_web::i18n::today_in_copenhagen()
}

/// A fidelity review of Roskilde's last half-year, scored alike by the
/// fixture's programme office user and a second one: finished.
async fn fidelity_fixture(db: &Db, office: &Scope, users: &mut HashMap<String, i64>) -> i64 {
    let second = db
        .create_user(
            &spire_store::Actor::command("test"),
            &new_user("anden.programkontor", Role::ProgrammeOffice, None),
        )
        .await
        .unwrap();
    users.insert("anden.programkontor".into(), second);
    let period = spire_domain::dashboard::HalfYear::containing(today()).previous();
    let data = db.dashboard_data(period, today()).await.unwrap();
    let first = users[&login_of(Role::ProgrammeOffice, "")];
    let review = spire_store::NewReview {
        municipality: 265,
        period,
        reviewer_a: first,
        reviewer_b: second,
        due: today(),
    };
    let id = db
        .create_fidelity_review(office, &review, &data, today())
        .await
        .unwrap();
    let detail = db.fidelity_review(office, id).await.unwrap();
    let scores: Vec<(String, Option<i64>, String)> = detail
        .items
        .iter()
        .filter(|i| i.item.measure.is_none())
        .map(|i| (i.item.code.clone(), Some(4), "Set ved besøget".to_string()))
        .collect();
    for reviewer in [first, second] {
        let scope = Scope::new(reviewer, Role::ProgrammeOffice, None, "fixture");
        db.submit_fidelity_ratings(&scope, id, &scores)
            .await
            .unwrap();
    }
    id
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Everything the application logs while the suite runs (all tests share it).
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static SERVER_LOG: std::sync::LazyLock<LogBuffer> = std::sync::LazyLock::new(LogBuffer::default);

/// Sends the application's log (DEBUG and up) to [`SERVER_LOG`], once for
/// the suite. Global, not thread-local: callsites cache their interest
/// across threads.
fn capture_server_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let writer = SERVER_LOG.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("only the test support installs a subscriber");
    });
}

/// The application's log so far, of every test.
pub fn server_log() -> String {
    String::from_utf8_lossy(&SERVER_LOG.0.lock().unwrap()).into_owned()
}

/// Held by each [`TestApp`]: when a test's app is done, the whole suite's log so far holds no CPR
/// number in any form people write one (the scan covers every test, not
/// only the privacy scenario).
#[derive(Default)]
pub struct LogCheck;

impl Drop for LogCheck {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        // Each drop reads the lines written since the last one read.
        static READ_UP_TO: Mutex<usize> = Mutex::new(0);
        // One failed check must not fail every later test with a poisoned lock.
        let mut read_up_to = READ_UP_TO
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let log = SERVER_LOG
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let whole_lines = log.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
        let new = String::from_utf8_lossy(&log[(*read_up_to).min(whole_lines)..whole_lines]);
        *read_up_to = whole_lines;
        if let Some(line) = new
            .lines()
            .find(|line| spire_domain::contains_cpr(&without_ids(line)))
        {
            panic!("a CPR number is in the server log: {line}");
        }
    }
}

/// A log line without its ids: request ids and hashes are runs of hex
/// digits that can look like a CPR number (`0902072533f06522`); a run of 12
/// or more letters and digits with a letter in it is an id, not a number
/// someone typed.
fn without_ids(line: &str) -> String {
    // sqlx's timings ("elapsed=111.609451ms elapsed_secs=0.111609451") are
    // digits with dots, which can read as a CPR number by chance.
    let line = &line
        .split(' ')
        .filter(|field| !field.contains("elapsed"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(line.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let is_id = run.chars().count() >= 12 && run.chars().any(|c| c.is_ascii_alphabetic());
        if !is_id {
            out.push_str(run);
        }
        run.clear();
    };
    for c in line.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}
