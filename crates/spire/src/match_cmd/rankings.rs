//! The `spire match` input, read in one pass straight into numbers.
//!
//! Every id is interned the first time it appears, whether in its own definition or in someone's
//! list (the companies may well come after the youth who rank them). Only then are the numbers
//! turned into positions and checked: unknown ids, ids defined twice, negative capacities. At
//! 100,000 youth × 20 choices this avoids 4 million little strings in memory.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use spire_matching::{Instance, InstanceError, PreferenceLists, Side};

use super::{CliError, IdTable, input_error};

#[derive(Default)]
pub(super) struct Rankings {
    pub(super) youth: Roster,
    pub(super) companies: Roster,
}

/// One side of the input.
#[derive(Default)]
pub(super) struct Roster {
    /// Every id seen on this side, defined or only listed.
    names: IdTable,
    /// The defined ids in input order, as interned numbers.
    defined: Vec<u32>,
    /// Their lists, as interned numbers of the other side.
    lists: PreferenceLists,
    /// Companies only.
    capacities: Vec<i64>,
    /// Reused while one list is being read.
    list_buffer: Vec<u32>,
}

impl Roster {
    /// The id of the `position`-th defined youth or company.
    pub(super) fn name(&self, position: usize) -> &str {
        self.names.id(self.defined[position])
    }

    /// Position of each interned id among the definitions, or `UNDEFINED`.
    fn positions(&self, kind: &str) -> Result<Vec<u32>, CliError> {
        let mut position = vec![UNDEFINED; self.names.len()];
        for (p, &number) in self.defined.iter().enumerate() {
            if position[number as usize] != UNDEFINED {
                let id = self.names.id(number);
                return Err(input_error(format!(
                    "{kind} id \"{id}\" appears more than once"
                )));
            }
            position[number as usize] = p as u32;
        }
        Ok(position)
    }

    /// The lists in positions of the other side; names the first unknown id.
    fn resolve_lists(
        &self,
        kind: &str,
        other: &Roster,
        other_kind: &str,
        other_positions: &[u32],
    ) -> Result<PreferenceLists, CliError> {
        let mut resolved = PreferenceLists::with_capacity(self.defined.len(), 0);
        for owner in 0..self.lists.len() {
            let list = self.lists.list(owner);
            if let Some(&unknown) = list
                .iter()
                .find(|&&n| other_positions[n as usize] == UNDEFINED)
            {
                return Err(input_error(format!(
                    "{kind} \"{}\" lists unknown {other_kind} \"{}\"",
                    self.name(owner),
                    other.names.id(unknown)
                )));
            }
            resolved.push(list.iter().map(|&n| other_positions[n as usize]));
        }
        Ok(resolved)
    }
}

const UNDEFINED: u32 = u32::MAX;

impl Rankings {
    pub(super) fn parse(text: &str) -> Result<Rankings, serde_json::Error> {
        let mut rankings = Rankings::default();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        (&mut rankings).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(rankings)
    }

    pub(super) fn to_instance(&self) -> Result<Instance, CliError> {
        let youth_positions = self.youth.positions("youth")?;
        let company_positions = self.companies.positions("company")?;
        let youth_lists =
            self.youth
                .resolve_lists("youth", &self.companies, "company", &company_positions)?;
        let company_lists =
            self.companies
                .resolve_lists("company", &self.youth, "youth", &youth_positions)?;
        let capacities = self
            .companies
            .capacities
            .iter()
            .enumerate()
            .map(|(c, &capacity)| {
                u32::try_from(capacity).map_err(|_| {
                    let problem = if capacity < 0 {
                        "a negative"
                    } else {
                        "too large a"
                    };
                    let company = self.companies.name(c);
                    input_error(format!(
                        "company \"{company}\" has {problem} capacity ({capacity})"
                    ))
                })
            })
            .collect::<Result<Vec<u32>, _>>()?;
        Instance::from_lists(youth_lists, company_lists, capacities).map_err(|error| match error {
            InstanceError::RepeatedEntry {
                side: Side::Youth,
                owner,
                entry,
            } => input_error(format!(
                "youth \"{}\" lists company \"{}\" more than once",
                self.youth.name(owner as usize),
                self.companies.name(entry as usize)
            )),
            InstanceError::RepeatedEntry {
                side: Side::Company,
                owner,
                entry,
            } => input_error(format!(
                "company \"{}\" lists youth \"{}\" more than once",
                self.companies.name(owner as usize),
                self.youth.name(entry as usize)
            )),
            other => input_error(other.to_string()),
        })
    }
}

// Streaming deserialisation: each seed writes into `Rankings` instead of building values.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Youth,
    Company,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum TopField {
    Youth,
    Companies,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum PersonField {
    Id,
    Prefs,
    Capacity,
}

impl<'de> DeserializeSeed<'de> for &mut Rankings {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Rankings {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an object with "youth" and "companies""#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut seen_youth, mut seen_companies) = (false, false);
        while let Some(field) = map.next_key::<TopField>()? {
            let Rankings { youth, companies } = &mut *self;
            let (seen, name, seed) = match field {
                TopField::Youth => (
                    &mut seen_youth,
                    "youth",
                    RosterSeed {
                        own: youth,
                        others: &mut companies.names,
                        kind: Kind::Youth,
                    },
                ),
                TopField::Companies => (
                    &mut seen_companies,
                    "companies",
                    RosterSeed {
                        own: companies,
                        others: &mut youth.names,
                        kind: Kind::Company,
                    },
                ),
            };
            if *seen {
                return Err(de::Error::duplicate_field(name));
            }
            *seen = true;
            map.next_value_seed(seed)?;
        }
        if !seen_youth {
            return Err(de::Error::missing_field("youth"));
        }
        if !seen_companies {
            return Err(de::Error::missing_field("companies"));
        }
        Ok(())
    }
}

/// The array of youth or of companies.
struct RosterSeed<'r> {
    own: &'r mut Roster,
    others: &'r mut IdTable,
    kind: Kind,
}

impl<'de> DeserializeSeed<'de> for RosterSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RosterSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(PersonSeed {
                own: &mut *self.own,
                others: &mut *self.others,
                kind: self.kind,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One youth `{"id", "prefs"}` or company `{"id", "capacity", "prefs"}`.
struct PersonSeed<'r> {
    own: &'r mut Roster,
    others: &'r mut IdTable,
    kind: Kind,
}

impl<'de> DeserializeSeed<'de> for PersonSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PersonSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Youth => f.write_str(r#"a youth {"id", "prefs"}"#),
            Kind::Company => f.write_str(r#"a company {"id", "capacity", "prefs"}"#),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Roster {
            names,
            defined,
            lists,
            capacities,
            list_buffer,
        } = self.own;
        let (mut id, mut capacity, mut has_prefs) = (None, None, false);
        list_buffer.clear();
        while let Some(field) = map.next_key::<PersonField>()? {
            match field {
                PersonField::Id if id.is_some() => return Err(de::Error::duplicate_field("id")),
                PersonField::Id => id = Some(map.next_value_seed(InternSeed(&mut *names))?),
                PersonField::Prefs if has_prefs => return Err(de::Error::duplicate_field("prefs")),
                PersonField::Prefs => {
                    map.next_value_seed(ListSeed {
                        names: &mut *self.others,
                        into: &mut *list_buffer,
                    })?;
                    has_prefs = true;
                }
                PersonField::Capacity if self.kind == Kind::Youth => {
                    return Err(de::Error::unknown_field("capacity", &["id", "prefs"]));
                }
                PersonField::Capacity if capacity.is_some() => {
                    return Err(de::Error::duplicate_field("capacity"));
                }
                PersonField::Capacity => capacity = Some(map.next_value::<i64>()?),
            }
        }
        defined.push(id.ok_or_else(|| de::Error::missing_field("id"))?);
        if !has_prefs {
            return Err(de::Error::missing_field("prefs"));
        }
        if self.kind == Kind::Company {
            capacities.push(capacity.ok_or_else(|| de::Error::missing_field("capacity"))?);
        }
        lists.push(list_buffer.drain(..));
        Ok(())
    }
}

/// A list of ids of the other side, interned as they are read.
struct ListSeed<'r> {
    names: &'r mut IdTable,
    into: &'r mut Vec<u32>,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of ids")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(number) = seq.next_element_seed(InternSeed(&mut *self.names))? {
            self.into.push(number);
        }
        Ok(())
    }
}

/// One id, interned.
struct InternSeed<'r>(&'r mut IdTable);

impl<'de> DeserializeSeed<'de> for InternSeed<'_> {
    type Value = u32;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for InternSeed<'_> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string id")
    }

    fn visit_str<E: de::Error>(self, id: &str) -> Result<u32, E> {
        Ok(self.0.intern(id).0)
    }
}
