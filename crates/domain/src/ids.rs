//! Typed database ids: a youth id cannot be passed where a trial id is meant.
//! The number itself is the database's; these types only say whose it is.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self {
                $name(raw)
            }

            /// The number, to bind in SQL or write in a URL.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                $name(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// A young person's record.
    YouthId
);
id!(
    /// A company of a municipality's network.
    CompanyId
);
id!(
    /// A trial (its database id; the public id is text).
    TrialId
);
id!(
    /// One allocation in a trial's ledger.
    AllocationId
);
id!(
    /// A youth's course (forløb) in the programme.
    CourseId
);
id!(
    /// One internship (praktik).
    InternshipId
);
id!(
    /// A task on someone's list.
    TaskId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_shows_and_gives_back_its_number() {
        let id = YouthId::from(42);
        assert_eq!((id.get(), id.to_string()), (42, "42".to_string()));
        assert_eq!(format!("/youth/{id}"), "/youth/42");
    }
}
id!(
    /// A youth network group (ungenetværk).
    GroupId
);
id!(
    /// One meeting of a youth network group.
    MeetingId
);
id!(
    /// An item on a meeting's agenda.
    AgendaItemId
);
id!(
    /// One meeting of a municipality's company network.
    NetworkMeetingId
);
id!(
    /// An event where youth host companies and then choose each other.
    EventId
);
id!(
    /// A company's call to a youth it was matched with at an event.
    CallId
);
