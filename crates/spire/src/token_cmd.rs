//! `spire token`: make, list and revoke a user's API tokens on the server's
//! console (each change in the administration log, by the command's name).

use crate::{DbArg, Failure, connect_existing};
use clap::{Args, Subcommand};
use spire_store::{Actor, DEFAULT_TOKEN_DAYS, NewToken, TokenCreated};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API bearer token for a user and print it (shown once; only its hash is stored).
    Create(TokenCreateArgs),
    /// List a user's tokens, one a line: id, state, expiry date, last use, name.
    List(TokenUserArgs),
    /// Revoke a user's token by the id `spire token list` shows.
    Revoke(TokenRevokeArgs),
}

#[derive(Args)]
pub struct TokenUserArgs {
    #[command(flatten)]
    db: DbArg,
    /// The user's login.
    #[arg(long)]
    user: String,
}

#[derive(Args)]
pub struct TokenCreateArgs {
    #[command(flatten)]
    who: TokenUserArgs,
    /// What the token is for (1–100 characters).
    #[arg(long, default_value = "api")]
    label: String,
    /// Days until it expires (1–365).
    #[arg(long, default_value_t = DEFAULT_TOKEN_DAYS)]
    days: i64,
}

#[derive(Args)]
pub struct TokenRevokeArgs {
    #[command(flatten)]
    who: TokenUserArgs,
    /// The token's id (16 hex digits, from `spire token list`).
    #[arg(long)]
    id: String,
}

fn no_user(login: &str) -> Failure {
    Failure::BadInput(format!("--user: no user with login {login:?}"))
}

pub async fn run(command: TokenCommand) -> Result<(), Failure> {
    match command {
        TokenCommand::Create(args) => {
            let db = connect_existing(&args.who.db.db).await?;
            let token = NewToken {
                label: &args.label,
                days: args.days,
                form_nonce: None,
            };
            let actor = Actor::command("spire token create");
            match db.create_api_token(&actor, &args.who.user, &token).await {
                Ok(TokenCreated::New(secret)) => {
                    println!("{}", secret.0);
                    Ok(())
                }
                Ok(TokenCreated::AlreadyMade) => unreachable!("no form value from the console"),
                Err(spire_store::Error::NotFound) => Err(no_user(&args.who.user)),
                Err(spire_store::Error::InvalidFields(fields)) => {
                    let first = &fields[0];
                    Err(Failure::BadInput(match first.field {
                        "days" => "--days: give 1 to 365".to_string(),
                        _ => "--label: give 1 to 100 characters".to_string(),
                    }))
                }
                Err(other) => Err(other.into()),
            }
        }
        TokenCommand::List(args) => {
            let db = connect_existing(&args.db.db).await?;
            let user = db
                .user_by_login(&args.user)
                .await
                .map_err(|_| no_user(&args.user))?;
            let now = spire_store::now();
            for token in db.list_api_tokens(user.id).await? {
                let state = match (token.revoked_at, token.expires_at <= now) {
                    (Some(_), _) => "revoked",
                    (None, true) => "expired",
                    (None, false) => "active",
                };
                let day = |at: i64| {
                    time::OffsetDateTime::from_unix_timestamp(at)
                        .map(|t| t.date().to_string())
                        .unwrap_or_default()
                };
                let used = token.last_used_at.map_or_else(|| "never".into(), day);
                println!(
                    "{} {state} {} {used} {}",
                    token.id,
                    day(token.expires_at),
                    token.label
                );
            }
            Ok(())
        }
        TokenCommand::Revoke(args) => {
            let db = connect_existing(&args.who.db.db).await?;
            let actor = Actor::command("spire token revoke");
            match db.revoke_api_token(&actor, &args.who.user, &args.id).await {
                Ok(()) => {
                    println!("revoked {}", args.id.trim());
                    Ok(())
                }
                Err(spire_store::Error::NotFound) => Err(Failure::BadInput(format!(
                    "--id: {} has no token {:?}",
                    args.who.user, args.id
                ))),
                Err(other) => Err(other.into()),
            }
        }
    }
}
