//! `Scope`: who is asking, in which municipality, for what purpose. Every
//! repository function that touches personal data takes one, so the tenant
//! filter and the access-log row cannot be forgotten.

use spire_domain::Role;

/// Why personal data is being used; stored in every access-log row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Day-to-day work with the youth (consultants, caseworkers).
    Casework,
    /// A team lead's oversight, including access-log review.
    Supervision,
    /// A youth looking at their own record.
    OwnRecord,
    /// Operation by an administrator or the command line.
    Administration,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Casework => "casework",
            Purpose::Supervision => "supervision",
            Purpose::OwnRecord => "own_record",
            Purpose::Administration => "administration",
        }
    }

    /// The purpose a role acts under by default.
    pub fn for_role(role: Role) -> Purpose {
        match role {
            Role::TeamLead => Purpose::Supervision,
            Role::Youth => Purpose::OwnRecord,
            Role::Admin | Role::Researcher | Role::ProgrammeOffice => Purpose::Administration,
            _ => Purpose::Casework,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub(crate) user_id: i64,
    pub(crate) role: Role,
    pub(crate) municipality: Option<i64>,
    pub(crate) purpose: Purpose,
    pub(crate) request_id: String,
}

/// Which youth a scope may see: always one municipality, sometimes narrower.
pub(crate) struct YouthVisibility {
    pub municipality: Option<i64>,
    pub created_by: Option<i64>,
    pub own_user: Option<i64>,
}

impl Scope {
    /// A cross-municipal role gets no municipality, whatever is passed: it
    /// must never reach a tenant's personal data through a scope.
    pub fn new(
        user_id: i64,
        role: Role,
        municipality: Option<i64>,
        request_id: impl Into<String>,
    ) -> Scope {
        Scope {
            user_id,
            role,
            municipality: if role.is_municipal() {
                municipality
            } else {
                None
            },
            purpose: Purpose::for_role(role),
            request_id: request_id.into(),
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn municipality(&self) -> Option<i64> {
        self.municipality
    }

    pub(crate) fn youth_visibility(&self) -> YouthVisibility {
        let none = YouthVisibility {
            municipality: None,
            created_by: None,
            own_user: None,
        };
        match self.role {
            Role::Consultant | Role::Psychologist | Role::TeamLead => YouthVisibility {
                municipality: self.municipality,
                ..none
            },
            // A caseworker sees the youth they registered themselves.
            Role::Caseworker => YouthVisibility {
                municipality: self.municipality,
                created_by: Some(self.user_id),
                own_user: None,
            },
            Role::Youth => YouthVisibility {
                municipality: self.municipality,
                created_by: None,
                own_user: Some(self.user_id),
            },
            Role::CompanyContact | Role::Researcher | Role::ProgrammeOffice | Role::Admin => none,
        }
    }

    /// Who may register a youth: those who screen or work with them.
    pub(crate) fn may_register_youth(&self) -> bool {
        self.municipality.is_some()
            && matches!(
                self.role,
                Role::Caseworker | Role::Consultant | Role::Psychologist | Role::TeamLead
            )
    }

    /// The municipality whose youth this scope registers and screens; for
    /// anyone else the youth are not there (404).
    pub(crate) fn youth_municipality(&self) -> crate::Result<i64> {
        self.municipality
            .filter(|_| self.may_register_youth())
            .ok_or(crate::Error::NotFound)
    }

    /// Company data of the municipality: programme staff see all of it, a
    /// company contact only their own company.
    pub(crate) fn sees_companies(&self) -> bool {
        self.municipality.is_some()
            && matches!(
                self.role,
                Role::Consultant | Role::Psychologist | Role::TeamLead | Role::CompanyContact
            )
    }
}
