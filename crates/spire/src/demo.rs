//! `spire demo`: a realistic synthetic programme in the brochure's seven
//! municipalities, so every page a role can reach has real data in it.
//! Deterministic (fixed seed), so screenshots and walk-throughs repeat.

use crate::Failure;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use spire_domain::{Cpr, Role};
use spire_store::{Db, NewCompany, NewTeamMember, NewUser, NewYouth, Scope, ServerKey};
use std::path::Path;

/// The password of every demo login (never use the demo database for real data).
pub const DEMO_PASSWORD: &str = "spire-demo-2026";

/// (code, name, login suffix, consultants, youth)
const MUNICIPALITIES: &[(i64, &str, &str, usize, usize)] = &[
    (101, "København", "kobenhavn", 5, 96),
    (265, "Roskilde", "roskilde", 4, 72),
    (326, "Kalundborg", "kalundborg", 3, 41),
    (540, "Sønderborg", "sonderborg", 3, 52),
    (607, "Fredericia", "fredericia", 3, 45),
    (615, "Horsens", "horsens", 4, 63),
    (630, "Vejle", "vejle", 3, 48),
];

pub(crate) const FEMALE: &[&str] = &[
    "Ida", "Emma", "Sofie", "Freja", "Clara", "Laura", "Anna", "Ella", "Maja", "Alberte", "Karla",
    "Josefine", "Mathilde", "Nanna", "Amalie", "Sara", "Aya", "Line", "Cecilie", "Signe",
];
pub(crate) const MALE: &[&str] = &[
    "Noah",
    "William",
    "Oscar",
    "Lucas",
    "Victor",
    "Malthe",
    "Emil",
    "Frederik",
    "Oliver",
    "Magnus",
    "Mikkel",
    "Jonas",
    "Mads",
    "Rasmus",
    "Ali",
    "Kasper",
    "Tobias",
    "Mathias",
    "Sebastian",
    "Ahmad",
];
pub(crate) const SURNAMES: &[&str] = &[
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Yilmaz",
    "Hussein",
    "Lund",
    "Holm",
    "Schmidt",
];
const INTERESTS: &[&str] = &[
    "køkken og mad",
    "cykler",
    "biler",
    "lager og logistik",
    "kundeservice",
    "byggeri",
    "dyr",
    "IT",
    "musik",
    "sport",
    "have og park",
    "frisør",
    "tøj og mode",
    "elektronik",
    "gaming",
    "omsorg",
    "træarbejde",
    "maling",
];
const STRENGTHS: &[&str] = &[
    "mødestabil",
    "god med hænderne",
    "hjælpsom",
    "nysgerrig",
    "rolig under pres",
    "god til kunder",
    "lærer hurtigt",
    "grundig",
    "humoristisk",
    "tager ansvar",
    "god til at samarbejde",
    "kreativ",
];
const INDUSTRIES: &[(&str, &[&str])] = &[
    ("Detail", &["Cykler", "Byggemarked", "Dagligvarer", "Tøj"]),
    ("Byggeri", &["Tømrer", "Maler", "VVS", "Murer"]),
    ("Transport og lager", &["Logistik", "Fragt", "Lager"]),
    (
        "Hotel og restauration",
        &["Café", "Kro", "Kantine", "Pizzeria"],
    ),
    ("Auto", &["Autoværksted", "Dækcenter"]),
    ("Industri", &["Maskinfabrik", "Emballage", "Metal"]),
    ("Service", &["Rengøring", "Vicevært", "Frisør"]),
    ("Grøn sektor", &["Planteskole", "Anlægsgartner"]),
];
const STREETS: &[&str] = &[
    "Algade",
    "Industrivej",
    "Havnevej",
    "Stationsvej",
    "Erhvervsparken",
    "Møllevej",
    "Kongensgade",
];

pub async fn run(db_path: &str, bind: &str, reset: bool, no_serve: bool) -> Result<(), Failure> {
    if db_path.starts_with("postgres") {
        return Err(Failure::BadInput(
            "--db: the demo uses a SQLite file; for PostgreSQL use `spire serve`".into(),
        ));
    }
    let key_path = Path::new(db_path).with_extension("key");
    if reset {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{db_path}{suffix}"));
        }
        let _ = std::fs::remove_file(&key_path);
    }
    if !key_path.exists() {
        // The key decrypts every CPR number: readable by its owner only.
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&key_path)?
            .write_all((ServerKey::generate_hex() + "\n").as_bytes())?;
    }
    let key = ServerKey::from_hex(&std::fs::read_to_string(&key_path)?).map_err(Failure::Other)?;
    if Path::new(db_path).exists() {
        println!("Using the existing demo database {db_path} (add --reset to start over).");
    } else {
        println!("Creating the demo programme in {db_path} …");
        create(db_path, &key).await?;
    }
    let db = crate::connect(db_path).await?;
    print_logins();
    if no_serve {
        db.close().await;
        return Ok(());
    }
    crate::serve_app(db, key, spire_web::WebConfig::default(), bind).await
}

/// Seeds a file beside `db_path` without waiting for the disk at each commit
/// (twice as fast), then renames it into place: a stop half-way leaves no
/// half-made demo that a later run would take for a whole one.
async fn create(db_path: &str, key: &ServerKey) -> Result<(), Failure> {
    let partial = format!("{db_path}.partial");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{partial}{suffix}"));
    }
    let db = spire_store::Db::create_sqlite_for_bulk_load(&partial)
        .await
        .map_err(|e| Failure::Other(format!("cannot create {partial}: {e}")))?;
    seed(&db, key).await?;
    // Closing the last connection checkpoints the log into the file.
    db.close().await;
    if Path::new(&format!("{partial}-wal")).exists() {
        return Err(Failure::Other(format!(
            "{partial}: the log was not checkpointed"
        )));
    }
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, db_path)?;
    Ok(())
}

fn print_logins() {
    println!();
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    let rows = [
        ("sagsbehandler.roskilde", "caseworker", "Roskilde"),
        ("konsulent.roskilde", "consultant", "Roskilde"),
        ("psykolog.roskilde", "psychologist", "Roskilde"),
        ("teamleder.roskilde", "team_lead", "Roskilde"),
        ("virksomhed.roskilde", "company_contact", "Roskilde"),
        ("ung.roskilde", "youth", "Roskilde"),
        (
            "forsker",
            "researcher",
            "all municipalities (pseudonymised)",
        ),
        (
            "programkontor",
            "programme_office",
            "all municipalities (aggregates)",
        ),
        ("admin", "admin", "users and settings"),
    ];
    for (login, role, scope) in rows {
        println!("  {login:<24} {role:<17} {scope}");
    }
    println!(
        "  Other municipalities: replace 'roskilde' with kobenhavn, kalundborg, sonderborg, fredericia, horsens or vejle."
    );
    println!();
}

pub(crate) fn demo_user(
    login: String,
    name: String,
    role: Role,
    municipality: Option<i64>,
) -> NewUser {
    NewUser {
        login,
        display_name: name,
        password: DEMO_PASSWORD.into(),
        role,
        municipality_code: municipality,
        company_id: None,
    }
}

/// A synthetic CPR number for someone aged 18–29 today, with a 7th digit
/// that puts the birth year in the right century.
pub(crate) fn synthetic_cpr(rng: &mut StdRng, female: bool) -> Cpr {
    let today = time::OffsetDateTime::now_utc().date();
    let age_days = rng.random_range(18 * 365 + 5..30 * 365 - 5);
    let birth = today - time::Duration::days(age_days);
    let yy = birth.year() % 100;
    let seventh = if birth.year() < 2000 {
        rng.random_range(0..4)
    } else {
        4
    };
    let serial: u32 = rng.random_range(0..500) * 2 + u32::from(!female);
    let text = format!(
        "{:02}{:02}{:02}-{}{:03}",
        birth.day(),
        birth.month() as u8,
        yy,
        seventh,
        serial % 1000
    );
    Cpr::parse("cpr", &text).expect("synthetic CPR numbers are well-formed")
}

pub(crate) fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).expect("non-empty list")
}

fn several(rng: &mut StdRng, items: &[&str], count: usize) -> String {
    let chosen: Vec<&str> = items.choose_multiple(rng, count).copied().collect();
    chosen.join(", ")
}

async fn seed(db: &Db, key: &ServerKey) -> Result<(), Failure> {
    let mut rng = StdRng::seed_from_u64(2752); // the trial's AEA registry number
    let admin = demo_user("admin".into(), "Anne Admin".into(), Role::Admin, None);
    let admin = Scope::new(
        db.create_user(&spire_store::Actor::command("spire demo"), &admin)
            .await?,
        Role::Admin,
        None,
        "demo",
    );
    let researcher_id = db
        .create_user(
            &spire_store::Actor::command("spire demo"),
            &demo_user(
                "forsker".into(),
                "Rikke Forsker".into(),
                Role::Researcher,
                None,
            ),
        )
        .await?;
    let researcher = Scope::new(researcher_id, Role::Researcher, None, "demo");
    let office = db
        .create_user(
            &spire_store::Actor::command("spire demo"),
            &demo_user(
                "programkontor".into(),
                "Peter Programkontor".into(),
                Role::ProgrammeOffice,
                None,
            ),
        )
        .await?;
    let office = Scope::new(office, Role::ProgrammeOffice, None, "demo");
    let mut used_cprs = std::collections::HashSet::new();
    let mut trial_caseworkers = Vec::new();
    let mut teams = Vec::new();
    for &(code, name, slug, consultant_count, youth_count) in MUNICIPALITIES {
        db.upsert_municipality(&spire_store::Actor::command("spire demo"), code, name)
            .await?;
        let municipal = |login: &str, display: String, role: Role| {
            demo_user(format!("{login}.{slug}"), display, role, Some(code))
        };
        let lead_id = db
            .create_user(
                &spire_store::Actor::command("spire demo"),
                &municipal(
                    "teamleder",
                    format!("Lene Teamleder ({name})"),
                    Role::TeamLead,
                ),
            )
            .await?;
        let psychologist_id = db
            .create_user(
                &spire_store::Actor::command("spire demo"),
                &municipal(
                    "psykolog",
                    format!("Pia Psykolog ({name})"),
                    Role::Psychologist,
                ),
            )
            .await?;
        let caseworker_id = db
            .create_user(
                &spire_store::Actor::command("spire demo"),
                &municipal(
                    "sagsbehandler",
                    format!("Søren Sagsbehandler ({name})"),
                    Role::Caseworker,
                ),
            )
            .await?;
        let mut consultants = Vec::new();
        for i in 0..consultant_count {
            let login = if i == 0 {
                "konsulent".to_string()
            } else {
                format!("konsulent{}", i + 1)
            };
            let first = pick(&mut rng, if i % 2 == 0 { FEMALE } else { MALE });
            let display = format!("{first} {}", pick(&mut rng, SURNAMES));
            consultants.push(
                db.create_user(
                    &spire_store::Actor::command("spire demo"),
                    &municipal(&login, display, Role::Consultant),
                )
                .await?,
            );
        }
        let mut members: Vec<NewTeamMember> = consultants
            .iter()
            .map(|&id| NewTeamMember {
                user_id: id,
                fte: 1.0,
            })
            .collect();
        members.push(NewTeamMember {
            user_id: psychologist_id,
            fte: if consultant_count >= 4 { 1.0 } else { 0.5 },
        });
        members.push(NewTeamMember {
            user_id: lead_id,
            fte: 0.5,
        });
        db.create_team(code, &format!("Ungeteam {name}"), &members)
            .await?;

        // The company network.
        let staff = Scope::new(lead_id, Role::TeamLead, Some(code), "demo");
        let mut company_ids = Vec::new();
        let company_count = 12 + consultant_count * 3;
        for _ in 0..company_count {
            let (industry, kinds) = *INDUSTRIES.choose(&mut rng).expect("non-empty");
            let cvr = loop {
                if let Some(cvr) = spire_domain::cvr::complete_with_check_digit(
                    rng.random_range(1_000_000..9_999_999),
                ) {
                    break cvr;
                }
            };
            let company = NewCompany {
                cvr,
                name: format!(
                    "{} {} {}",
                    pick(&mut rng, SURNAMES),
                    pick(&mut rng, kinds),
                    if rng.random_bool(0.6) { "ApS" } else { "A/S" }
                ),
                industry: industry.into(),
                address: Some(format!(
                    "{} {}, {name}",
                    pick(&mut rng, STREETS),
                    rng.random_range(1..120)
                )),
            };
            let id = match db.create_company(&staff, &company).await {
                Ok(id) => id,
                Err(spire_store::Error::Invalid(_)) => continue, // a repeated synthetic CVR: skip it
                Err(other) => return Err(other.into()),
            };
            for _ in 0..rng.random_range(1..=2) {
                let names = if rng.random_bool(0.5) { FEMALE } else { MALE };
                let first = pick(&mut rng, names);
                let contact_name = format!("{first} {}", pick(&mut rng, SURNAMES));
                let phone = format!(
                    "+45 {} {:02} {:02} {:02}",
                    rng.random_range(20..99),
                    rng.random_range(0..100),
                    rng.random_range(0..100),
                    rng.random_range(0..100)
                );
                let title = pick(
                    &mut rng,
                    &[
                        "Indehaver",
                        "Værkfører",
                        "HR-ansvarlig",
                        "Butikschef",
                        "Køkkenchef",
                    ],
                );
                db.add_company_contact(
                    &staff,
                    id,
                    &contact_name,
                    Some(title),
                    Some(&phone),
                    None,
                    None,
                )
                .await?;
            }
            company_ids.push(id);
        }
        // A company representative with a login, for the first company.
        let mut contact_user = None;
        if let Some(&first_company) = company_ids.first() {
            let mut contact = municipal(
                "virksomhed",
                format!("Kim Virksomhed ({name})"),
                Role::CompanyContact,
            );
            contact.company_id = Some(first_company.get());
            let contact_id = db
                .create_user(&spire_store::Actor::command("spire demo"), &contact)
                .await?;
            contact_user = Some(contact_id);
            db.add_company_contact(
                &staff,
                first_company,
                &contact.display_name,
                Some("Indehaver"),
                None,
                None,
                Some(contact_id),
            )
            .await?;
        }

        // The young people: most registered by the caseworker at intake, each
        // with a consultant; the first one has a login of their own.
        let caseworker = Scope::new(caseworker_id, Role::Caseworker, Some(code), "demo");
        trial_caseworkers.push((code, caseworker.clone()));
        let mut youth_ids = Vec::new();
        let mut youth_user = None;
        for i in 0..youth_count {
            let female = rng.random_bool(0.45);
            let cpr = loop {
                let cpr = synthetic_cpr(&mut rng, female);
                if used_cprs.insert(cpr.expose_digits()) {
                    break cpr;
                }
            };
            let first = pick(&mut rng, if female { FEMALE } else { MALE }).to_string();
            let last = pick(&mut rng, SURNAMES).to_string();
            let user_id = if i == 0 {
                Some(
                    db.create_user(
                        &spire_store::Actor::command("spire demo"),
                        &municipal("ung", format!("{first} {last}"), Role::Youth),
                    )
                    .await?,
                )
            } else {
                None
            };
            let n_interests = rng.random_range(1..=3);
            let n_strengths = rng.random_range(1..=3);
            let youth = NewYouth {
                cpr,
                phone: Some(format!(
                    "+45 {} {:02} {:02} {:02}",
                    rng.random_range(20..99),
                    rng.random_range(0..100),
                    rng.random_range(0..100),
                    rng.random_range(0..100)
                )),
                email: rng
                    .random_bool(0.7)
                    .then(|| format!("{}.{}@example.dk", first.to_lowercase(), i)),
                interests: several(&mut rng, INTERESTS, n_interests),
                strengths: several(&mut rng, STRENGTHS, n_strengths),
                consultant_id: Some(consultants[i % consultants.len()]),
                user_id,
                // Registered before the demo's trial opens.
                outside_trial: None,
                first_name: first,
                last_name: last,
            };
            youth_user = youth_user.or(youth.user_id);
            youth_ids.push(db.create_youth(&caseworker, key, &youth).await?);
        }
        teams.push(crate::demo_programme::DemoTeam {
            lead: staff.clone(),
            psychologist: Scope::new(psychologist_id, Role::Psychologist, Some(code), "demo"),
            consultants: consultants
                .iter()
                .map(|&id| Scope::new(id, Role::Consultant, Some(code), "demo"))
                .collect(),
            companies: company_ids.clone(),
            youth: youth_ids,
            youth_login: youth_user.map(|id| Scope::new(id, Role::Youth, Some(code), "demo")),
            contact_login: contact_user
                .map(|id| Scope::new(id, Role::CompanyContact, Some(code), "demo")),
        });
        println!(
            "  {name}: {youth_count} young people, {} companies, {} consultants",
            company_ids.len(),
            consultant_count
        );
    }
    let leads: Vec<Scope> = teams.iter().map(|team| team.lead.clone()).collect();
    crate::demo_trial::seed(
        db,
        key,
        &trial_caseworkers,
        &leads,
        &researcher,
        &mut used_cprs,
    )
    .await?;
    let today = spire_web::i18n::today_in_copenhagen();
    crate::demo_programme::seed(db, &teams, today).await?;
    crate::demo_networks::seed(db, &teams, today).await?;
    crate::demo_events::seed(db, &teams, today).await?;
    crate::demo_office::seed(db, &admin, &office, today).await
}
