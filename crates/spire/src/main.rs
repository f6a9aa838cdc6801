//! `spire`: the one binary. Thin: parses arguments and wires the crates together.

mod demo;
mod demo_events;
mod demo_networks;
mod demo_office;
mod demo_programme;
mod demo_trial;
mod match_cmd;
mod programme_cmd;
mod stats_cmd;
mod token_cmd;
mod trial_cmd;

use clap::{Args, Parser, Subcommand, ValueEnum};
use spire_domain::Role;
use spire_store::{Actor, Db, NewUser, ServerKey};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "spire",
    version,
    about = "Spire: run the youth employment programme and prove, with a randomised trial, whether it works",
    long_about = "Spire: run the youth employment programme and prove, with a randomised trial, whether it works.\n\n\
                  Start with `spire demo`: it creates a database with a realistic synthetic programme, \
                  serves it on http://127.0.0.1:8080 and prints one login per role."
)]
struct Cli {
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "SPIRE_LOG_FORMAT")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the JSON API.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DbArg),
    /// Create a demo database with a synthetic programme in seven municipalities, print logins and serve it.
    Demo(DemoArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API bearer tokens.
    #[command(subcommand)]
    Token(token_cmd::TokenCommand),
    /// Match youth with companies (deferred acceptance), or plan an event's rotation.
    Match(match_cmd::MatchArgs),
    /// Trial analysis on a CSV file: ITT, difference in means, IV, balance, MDE, multiple testing, Lee bounds.
    Stats(stats_cmd::StatsArgs),
    /// The randomised trial: open one from a design file, verify its ledger, print heads and proofs.
    #[command(subcommand)]
    Trial(trial_cmd::TrialCommand),
    /// Internships from a script: plan one, extend one (the law of LAB § 61 applies).
    #[command(subcommand)]
    Internship(programme_cmd::InternshipCommand),
    /// The programme's rules: internship limits (LAB § 61) and caseload norms.
    #[command(subcommand)]
    Rules(programme_cmd::RulesCommand),
    /// Fill an empty database with national-scale programme data for the
    /// benchmarks (docs/performance.md); prints, per municipality, a
    /// consultant's login and their youth's ids.
    #[command(hide = true)]
    BenchData(BenchDataArgs),
    /// Copy a SQLite database consistently while the server runs (PostgreSQL: use pg_dump).
    #[command(
        long_about = "Copy a SQLite database consistently while the server runs: one snapshot \
                      (VACUUM INTO), checked with PRAGMA integrity_check; never overwrites a file.\n\n\
                      Keep the server key file with the backup, apart from it: without the key the \
                      CPR numbers in the copy cannot be read.\n\n\
                      PostgreSQL: pg_dump --format=custom --file=spire.dump \"$SPIRE_DB\" (a \
                      consistent snapshot too); restore with pg_restore --dbname=URL spire.dump."
    )]
    Backup(BackupArgs),
}

#[derive(Args)]
struct BenchDataArgs {
    #[command(flatten)]
    db: DbArg,
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The password of every generated login.
    #[arg(long, default_value = "spire-bench-2026")]
    password: String,
    #[arg(long, default_value_t = 98)]
    municipalities: i64,
    #[arg(long, default_value_t = 60_000)]
    youth: i64,
    #[arg(long, default_value_t = 150_000)]
    internships: i64,
    #[arg(long, default_value_t = 1_000_000)]
    check_ins: i64,
}

#[derive(Args)]
struct BackupArgs {
    #[command(flatten)]
    db: DbArg,
    /// The new file to write.
    #[arg(long)]
    out: std::path::PathBuf,
}

#[derive(Args)]
struct DbArg {
    /// SQLite file path, or a postgres:// URL.
    #[arg(long, env = "SPIRE_DB")]
    db: String,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArg,
    /// Address to listen on.
    #[arg(long, env = "SPIRE_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// File with the server key (64 hex digits) that encrypts CPR numbers. Keep it outside the database's backups.
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// Set when clients reach Spire over HTTPS (directly or through a proxy): Secure cookies and HSTS.
    #[arg(long, env = "SPIRE_TLS")]
    tls: bool,
    /// Minutes without activity before a session ends.
    #[arg(long, env = "SPIRE_IDLE_TIMEOUT_MINUTES", default_value_t = 30)]
    idle_timeout_minutes: i64,
    /// Hours after log-in when a session ends regardless.
    #[arg(long, env = "SPIRE_ABSOLUTE_TIMEOUT_HOURS", default_value_t = 12)]
    absolute_timeout_hours: i64,
    /// Staff log in with a one-time code from an authenticator app as well as the
    /// password (RFC 6238); they set it up at their first log-in. `false` turns it off.
    #[arg(long, env = "SPIRE_REQUIRE_TWO_FACTOR", default_value_t = true, action = clap::ArgAction::Set)]
    require_two_factor: bool,
    /// Days the access log is kept before the hourly purge removes a row (at least 183).
    #[arg(long, env = "SPIRE_ACCESS_LOG_RETENTION_DAYS", default_value_t = 183)]
    access_log_retention_days: i64,
    /// Requests per second one client address may send on average, with bursts of ten times as
    /// many; more get 429 and Retry-After. Behind a reverse proxy every client has its address:
    /// limit there and give 0 (no limit) here.
    #[arg(long, env = "SPIRE_RATE_LIMIT", default_value_t = 50)]
    rate_limit: u32,
}

#[derive(Args)]
struct DemoArgs {
    /// SQLite file for the demo (created when missing).
    #[arg(long, default_value = "spire-demo.db")]
    db: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
    /// Delete the demo database and its key first, and create them anew.
    #[arg(long)]
    reset: bool,
    /// Create the data and print the logins, but do not start the server.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password comes from --password-stdin or SPIRE_USER_PASSWORD.
    Add(UserAddArgs),
    /// List users, one a line: login role municipality_code ("-" for cross-municipal roles).
    List(DbArg),
    /// Turn a user's two-factor log-in off (a lost phone); they set it up again at the next log-in.
    ResetTwoFactor(LoginArgs),
    /// Let a user who must wait after wrong passwords log in again now.
    Unblock(LoginArgs),
    /// Deactivate a user who has left: no log-in, sessions and API tokens end at once.
    Deactivate(LoginArgs),
    /// Open a deactivated user's account again.
    Reactivate(LoginArgs),
}

#[derive(Args)]
struct LoginArgs {
    #[command(flatten)]
    db: DbArg,
    /// The user's login.
    #[arg(long)]
    login: String,
}

#[derive(Args)]
struct UserAddArgs {
    #[command(flatten)]
    db: DbArg,
    /// Log-in name: 3–64 of a–z, 0–9, '.', '-', '_'.
    #[arg(long)]
    login: String,
    /// Full name shown in the application.
    #[arg(long)]
    name: String,
    /// One of caseworker, consultant, psychologist, team_lead, company_contact, youth, researcher, programme_office, admin.
    #[arg(long)]
    role: String,
    /// Municipality code (e.g. 265 for Roskilde); required for municipal roles.
    #[arg(long)]
    municipality: Option<i64>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

/// A failure with its exit code: 2 for bad input, 1 for everything else.
#[derive(Debug)]
enum Failure {
    BadInput(String),
    Other(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Failure {
        Failure::Other(err.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Pure computations on files need neither logging nor a runtime.
    end_quietly_on_a_closed_pipe();
    let command = match cli.command {
        Command::Match(args) => return match_cmd::run(args),
        Command::Stats(args) => return stats_cmd::run(args),
        other => other,
    };
    init_logging(cli.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts");
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            eprintln!("spire: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            eprintln!("spire: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SPIRE_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // Colours only on a terminal: log files and collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve(args) => {
            let key = read_key_file(&args.key_file)?;
            let db = connect_existing(&args.db.db).await?;
            let config = spire_web::WebConfig {
                tls: args.tls,
                idle_timeout_secs: args.idle_timeout_minutes * 60,
                absolute_timeout_secs: args.absolute_timeout_hours * 3600,
                require_two_factor: args.require_two_factor,
                rate_limit_per_second: args.rate_limit,
                ..spire_web::WebConfig::default()
            };
            if args.access_log_retention_days < spire_store::MIN_ACCESS_LOG_RETENTION_DAYS {
                return Err(Failure::BadInput(format!(
                    "--access-log-retention-days: at least {} days",
                    spire_store::MIN_ACCESS_LOG_RETENTION_DAYS
                )));
            }
            purge_access_log_hourly(db.clone(), args.access_log_retention_days);
            serve(db, key, config, &args.bind).await
        }
        Command::Migrate(args) => {
            let db = connect(&args.db).await?;
            println!("database schema is up to date ({})", db.kind());
            Ok(())
        }
        Command::Demo(args) => demo::run(&args.db, &args.bind, args.reset, args.no_serve).await,
        Command::Backup(args) => {
            let db = connect_existing(&args.db.db).await?;
            let started = std::time::Instant::now();
            match db.backup_sqlite(&args.out).await {
                Ok(()) => {
                    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
                    println!(
                        "backed up to {} ({:.1} MB in {:.1} s; integrity ok). Keep the server key file too, stored apart.",
                        args.out.display(),
                        bytes as f64 / 1e6,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(())
                }
                Err(spire_store::Error::Refused(message)) => Err(Failure::BadInput(message)),
                Err(other) => Err(other.into()),
            }
        }
        Command::User(UserCommand::Add(args)) => {
            let role: Role = args
                .role
                .parse()
                .map_err(|e: spire_domain::role::UnknownRole| Failure::BadInput(e.to_string()))?;
            let password = if args.password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_string()
            } else {
                std::env::var("SPIRE_USER_PASSWORD").map_err(|_| {
                    Failure::BadInput(
                        "give the password with --password-stdin or SPIRE_USER_PASSWORD".into(),
                    )
                })?
            };
            let user = NewUser {
                login: args.login,
                display_name: args.name,
                password,
                role,
                municipality_code: args.municipality,
                company_id: None,
            };
            let db = connect_existing(&args.db.db).await?;
            match db
                .create_user(&Actor::command("spire user add"), &user)
                .await
            {
                Ok(_) => {
                    println!("added {} ({})", user.login, role);
                    Ok(())
                }
                Err(spire_store::Error::Invalid(field)) => Err(Failure::BadInput(format!(
                    "--{}: {}",
                    field
                        .field
                        .replace('_', "-")
                        .replace("municipality-code", "municipality"),
                    describe(field.problem)
                ))),
                Err(other) => Err(other.into()),
            }
        }
        Command::User(UserCommand::List(args)) => {
            let db = connect_existing(&args.db).await?;
            for user in db.list_users().await? {
                let municipality = user
                    .municipality_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into());
                println!("{} {} {}", user.login, user.role, municipality);
            }
            Ok(())
        }
        Command::User(UserCommand::ResetTwoFactor(args)) => {
            let db = connect_existing(&args.db.db).await?;
            let actor = Actor::command("spire user reset-two-factor");
            let done = db.reset_totp(&actor, &args.login).await;
            said_for_user(done, &args.login, "two-factor log-in reset for")
        }
        Command::User(UserCommand::Unblock(args)) => {
            let db = connect_existing(&args.db.db).await?;
            let actor = Actor::command("spire user unblock");
            let done = db.unblock_user(&actor, &args.login).await;
            said_for_user(done, &args.login, "may log in again:")
        }
        Command::User(UserCommand::Deactivate(args)) => {
            let db = connect_existing(&args.db.db).await?;
            let actor = Actor::command("spire user deactivate");
            let done = match db.user_by_login(&args.login).await {
                Ok(user) => db.deactivate_user(&actor, user.id).await.map(|ended| {
                    println!(
                        "{} sessions ended, {} API tokens revoked, {} young people now without a consultant",
                        ended.sessions_ended, ended.tokens_revoked, ended.youth_without_consultant
                    );
                }),
                Err(e) => Err(e),
            };
            said_for_user(done, &args.login, "deactivated:")
        }
        Command::User(UserCommand::Reactivate(args)) => {
            let db = connect_existing(&args.db.db).await?;
            let actor = Actor::command("spire user reactivate");
            let done = match db.user_by_login(&args.login).await {
                Ok(user) => db.reactivate_user(&actor, user.id).await,
                Err(e) => Err(e),
            };
            said_for_user(done, &args.login, "may log in again:")
        }
        Command::Match(_) | Command::Stats(_) => unreachable!("handled before the runtime starts"),
        Command::Trial(command) => trial_cmd::run(command).await,
        Command::Internship(command) => programme_cmd::run_internship(command).await,
        Command::BenchData(args) => {
            let key = read_key_file(&args.key_file)?;
            let db = connect(&args.db.db).await?;
            if !db.list_users().await?.is_empty() {
                return Err(Failure::BadInput("--db: the database is not empty".into()));
            }
            let scale = spire_store::scale::Scale {
                municipalities: args.municipalities,
                youth: args.youth,
                internships: args.internships,
                check_ins: args.check_ins,
            };
            let started = std::time::Instant::now();
            let hash = spire_store::hash_password(&args.password);
            let generated = spire_store::scale::generate(&db, &key, scale, &hash).await?;
            eprintln!(
                "generated {scale:?} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            for (login, youth) in generated.consultants {
                let ids: Vec<String> = youth.iter().map(i64::to_string).collect();
                println!("{login} {}", ids.join(" "));
            }
            db.close().await;
            Ok(())
        }
        Command::Rules(command) => programme_cmd::run_rules(command).await,
        Command::Token(command) => token_cmd::run(command).await,
    }
}

/// The CLI's English wording of a field problem (the web translates via Fluent).
fn describe(problem: spire_domain::Problem) -> &'static str {
    use spire_domain::Problem::*;
    match problem {
        LoginFormat => "use 3–64 characters: a–z, 0–9, '.', '-' or '_'",
        LoginTaken => "this login is already taken",
        PasswordTooShort => "the password must be at least 12 characters",
        RoleNeedsMunicipality => "this role belongs to a municipality: give --municipality CODE",
        UnknownMunicipality => "no such municipality in this database",
        Required => "required",
        _ => "invalid value",
    }
}

/// Opens a database that must exist already (every command but `migrate` and `demo`).
async fn connect_existing(target: &str) -> Result<Db, Failure> {
    Db::connect_existing(target).await.map_err(|e| match e {
        spire_store::Error::Missing(_) => Failure::BadInput(format!("--db: {e}")),
        other => Failure::Other(format!(
            "cannot open the database {}: {other}",
            without_password(target)
        )),
    })
}

async fn connect(target: &str) -> Result<Db, Failure> {
    Db::connect(target).await.map_err(|e| match e {
        spire_store::Error::UnsafeSettings(reason) => Failure::Other(format!(
            "refusing to use {}: {reason}",
            without_password(target)
        )),
        other => Failure::Other(format!(
            "cannot open the database {}: {other}",
            without_password(target)
        )),
    })
}

/// A database URL as it may be printed: `postgres://user:secret@host/db`
/// loses its password.
fn without_password(target: &str) -> String {
    let Some((scheme, rest)) = target.split_once("://") else {
        return target.to_string();
    };
    match rest.rsplit_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => target.to_string(),
    }
}

/// A new file only its owner can read (a revealed trial key, a recipient's entries).
fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes a new file, readable only by its owner when `private`.
fn write_new_file(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    if private {
        std::io::Write::write_all(&mut private_new_file(path)?, bytes)
    } else {
        std::fs::write(path, bytes)
    }
}

fn read_key_file(path: &Path) -> Result<ServerKey, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::BadInput(format!("--key-file {}: {e}", path.display())))?;
    ServerKey::from_hex(&text)
        .map_err(|reason| Failure::BadInput(format!("--key-file {}: {reason}", path.display())))
}

/// The access log is kept for the retention period, then purged (quality.md).
fn purge_access_log_hourly(db: Db, retention_days: i64) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match db.purge_access_log(retention_days).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, retention_days, "access log purged"),
                Err(error) => tracing::warn!(%error, "access log purge failed"),
            }
        }
    });
}

async fn serve(
    db: Db,
    key: ServerKey,
    config: spire_web::WebConfig,
    bind: &str,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| Failure::BadInput(format!("--bind {bind}: {e}")))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, database = db.kind(), "Spire is serving");
    println!("Spire is serving on http://{address}");
    let app = spire_web::router(spire_web::AppState::new(db.clone(), key, config));
    serve_connections(listener, app).await;
    db.close().await;
    Ok(())
}

pub(crate) use serve as serve_app;

/// How long a client may take to send a request's headers: a connection
/// that trickles them (or sends nothing) is closed, so half-open connections
/// cannot pile up.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Accepts connections and serves each over HTTP/1.1 with the header-read
/// timeout, giving the handlers the client's address (the one-time code log-in
/// limits guessing per client); on Ctrl-C stops accepting and lets the
/// requests under way finish.
async fn serve_connections(listener: tokio::net::TcpListener, app: axum::Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut ctrl_c => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service =
            app.clone()
                .map_request(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    request
                });
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::pin!(connection);
            tokio::select! {
                _ = &mut connection => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Forget the connections that have ended.
        while connections.try_join_next().is_some() {}
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
}

/// A change to one user said on the console (an unknown login is bad input).
fn said_for_user(done: spire_store::Result<()>, login: &str, what: &str) -> Result<(), Failure> {
    match done {
        Ok(()) => {
            println!("{what} {login}");
            Ok(())
        }
        Err(spire_store::Error::NotFound) => {
            Err(Failure::BadInput(format!("--login: no user {login}")))
        }
        Err(other) => Err(other.into()),
    }
}

/// `spire … | head` closes the pipe before the output ends, and Rust's
/// `println!` then panics. End as a program stopped by SIGPIPE does: quietly,
/// with exit status 141 — for every command, since the hook is the one place
/// all printing passes through when it fails.
fn end_quietly_on_a_closed_pipe() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_database_password_is_never_printed() {
        assert_eq!(
            without_password("postgres://spire_app:s3cret@db.example:5432/spire"),
            "postgres://spire_app:***@db.example:5432/spire"
        );
        assert_eq!(
            without_password("postgres://spire@127.0.0.1/spire"),
            "postgres://spire@127.0.0.1/spire"
        );
        assert_eq!(without_password("spire.db"), "spire.db");
    }
}
