//! User administration: the list of users and creating one.

use super::forms::{self, UserForm};
use crate::http::context::{Caller, CurrentUser, RequestContext};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use spire_domain::Role;
use spire_domain::validation::limits;
use spire_store::{Actor, UserRow};

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct AdminUsersView {
    pub ctx: PageCtx,
    pub users: Vec<UserRow>,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
    pub created: Option<String>,
}

async fn admin_users_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    form: &UserForm,
    messages: &FieldMessages,
    created: Option<String>,
) -> AppResult<AdminUsersView> {
    let tr = Tr::new(context.lang);
    let users = state.db().list_users().await?;
    let municipalities = state.db().list_municipalities().await?;
    let roles = Role::ALL
        .iter()
        .map(|r| {
            (
                r.code().to_string(),
                tr.t(&format!("role-{}", r.code().replace('_', "-"))),
            )
        })
        .collect();
    let municipality_options = std::iter::once((String::new(), tr.t("none-cross-municipal")))
        .chain(
            municipalities
                .iter()
                .map(|m| (m.code.to_string(), format!("{} ({})", m.name, m.code))),
        )
        .collect();
    let fields = vec![
        FormField::new(tr, "login", "text", &form.login, messages)
            .required()
            .max_length(limits::LOGIN)
            .hint(tr.t("hint-login")),
        FormField::new(tr, "display_name", "text", &form.display_name, messages)
            .required()
            .max_length(limits::DISPLAY_NAME),
        FormField::new(tr, "password", "password", "", messages)
            .required()
            .max_length(1024)
            .autocomplete("new-password")
            .hint(tr.t("hint-password")),
        FormField::new(tr, "role", "select", &form.role, messages).options(roles),
        FormField::new(
            tr,
            "municipality_code",
            "select",
            &form.municipality_code,
            messages,
        )
        .options(municipality_options),
    ];
    Ok(AdminUsersView {
        ctx: page_ctx(context, user, "/admin/users"),
        users,
        banner: messages.banner(),
        fields,
        created,
    })
}

pub async fn admin_users(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    Ok(render(
        &admin_users_view(
            &state,
            &context,
            &user,
            &UserForm::default(),
            &FieldMessages::default(),
            None,
        )
        .await?,
    ))
}

pub async fn admin_users_create(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let result = match forms::parse_user(&form) {
        Ok(new_user) => state
            .db()
            .create_user(&Actor::of(&user.scope(&context)), &new_user)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    match result {
        Ok(_) => {
            let created = tr.t_args(
                "user-created",
                &[("login", Arg::Text(form.login.trim().to_lowercase()))],
            );
            Ok(render(
                &admin_users_view(
                    &state,
                    &context,
                    &user,
                    &UserForm::default(),
                    &FieldMessages::default(),
                    Some(created),
                )
                .await?,
            ))
        }
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let messages = FieldMessages::from_errors(tr, &errors);
            let view = admin_users_view(&state, &context, &user, &form, &messages, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other),
    }
}
