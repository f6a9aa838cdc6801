//! The roles of product.md. A municipal role belongs to one municipality (the
//! tenant); a cross-municipal role sees aggregates or pseudonyms only.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Caseworker,
    Consultant,
    Psychologist,
    TeamLead,
    CompanyContact,
    Youth,
    Researcher,
    ProgrammeOffice,
    Admin,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Caseworker,
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
        Role::CompanyContact,
        Role::Youth,
        Role::Researcher,
        Role::ProgrammeOffice,
        Role::Admin,
    ];

    /// The stable code used in the database, the API and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::Consultant => "consultant",
            Role::Psychologist => "psychologist",
            Role::TeamLead => "team_lead",
            Role::CompanyContact => "company_contact",
            Role::Youth => "youth",
            Role::Researcher => "researcher",
            Role::ProgrammeOffice => "programme_office",
            Role::Admin => "admin",
        }
    }

    /// Municipal roles act inside one municipality; the others work across
    /// municipalities and never see personal data of a tenant directly.
    pub fn is_municipal(self) -> bool {
        !matches!(self, Role::Researcher | Role::ProgrammeOffice | Role::Admin)
    }

    /// Programme staff who work with the youth in their municipality.
    pub fn is_programme_staff(self) -> bool {
        matches!(self, Role::Consultant | Role::Psychologist | Role::TeamLead)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role {0:?}; expected one of caseworker, consultant, psychologist, team_lead, company_contact, youth, researcher, programme_office, admin"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), role);
        }
        assert!("boss".parse::<Role>().is_err());
    }
}
