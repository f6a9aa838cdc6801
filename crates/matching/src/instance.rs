//! The matching problem: preference lists and capacities, validated once, indexed for speed.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

/// A young person, as an index `0..instance.youth_count()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Youth(pub u32);

/// A company, as an index `0..instance.company_count()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Company(pub u32);

impl Youth {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl Company {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Marks "this side did not list the other" in the cross-rank tables.
pub(crate) const UNRANKED: u32 = u32::MAX;

/// Which side of the market a list belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Youth,
    Company,
}

/// Why a set of lists is not a valid instance. Indices refer to the lists as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceError {
    /// `capacities` does not have one entry per company list.
    CapacityCountMismatch { companies: usize, capacities: usize },
    /// A list names someone who does not exist on the other side.
    UnknownEntry { side: Side, owner: u32, entry: u32 },
    /// A list names the same youth or company twice.
    RepeatedEntry { side: Side, owner: u32, entry: u32 },
    /// More youth, companies or list entries than fit in `u32`.
    TooLarge,
}

impl Side {
    /// What an owner on this side is called, and what its list entries are called.
    fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Side::Youth => ("youth", "company"),
            Side::Company => ("company", "youth"),
        }
    }
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InstanceError::CapacityCountMismatch {
                companies,
                capacities,
            } => write!(
                f,
                "{companies} company lists but {capacities} capacities; need one capacity per company"
            ),
            InstanceError::UnknownEntry { side, owner, entry } => {
                let (owner_kind, entry_kind) = side.nouns();
                write!(f, "{owner_kind} {owner} lists unknown {entry_kind} {entry}")
            }
            InstanceError::RepeatedEntry { side, owner, entry } => {
                let (owner_kind, entry_kind) = side.nouns();
                write!(
                    f,
                    "{owner_kind} {owner} lists {entry_kind} {entry} more than once"
                )
            }
            InstanceError::TooLarge => f.write_str("instance too large for 32-bit indices"),
        }
    }
}

impl std::error::Error for InstanceError {}

/// One side's preference lists, best first, stored back to back so that 100,000 lists cost two
/// allocations, not 100,000. Build with [`PreferenceLists::push`] or from `&[Vec<u32>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreferenceLists {
    starts: Vec<usize>,
    entries: Vec<u32>,
}

impl Default for PreferenceLists {
    fn default() -> Self {
        PreferenceLists {
            starts: vec![0],
            entries: Vec::new(),
        }
    }
}

impl From<&[Vec<u32>]> for PreferenceLists {
    fn from(lists: &[Vec<u32>]) -> Self {
        let mut flat =
            PreferenceLists::with_capacity(lists.len(), lists.iter().map(Vec::len).sum());
        for list in lists {
            flat.push(list.iter().copied());
        }
        flat
    }
}

impl PreferenceLists {
    /// Room for `lists` lists with `entries` entries in all.
    pub fn with_capacity(lists: usize, entries: usize) -> Self {
        let mut starts = Vec::with_capacity(lists + 1);
        starts.push(0);
        PreferenceLists {
            starts,
            entries: Vec::with_capacity(entries),
        }
    }

    /// Appends the next owner's list.
    pub fn push(&mut self, list: impl IntoIterator<Item = u32>) {
        self.entries.extend(list);
        self.starts.push(self.entries.len());
    }

    /// Number of lists (owners).
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The list of owner `owner`.
    pub fn list(&self, owner: usize) -> &[u32] {
        &self.entries[self.range(owner)]
    }

    /// Positions of `owner`'s list in [`Self::entries`]; positions are the key of the cross-rank tables.
    pub(crate) fn range(&self, owner: usize) -> Range<usize> {
        self.starts[owner]..self.starts[owner + 1]
    }

    pub(crate) fn entries(&self) -> &[u32] {
        &self.entries
    }

    /// Checks every entry exists on the other side and appears once per list, in O(total length).
    fn validate(&self, side: Side, other_side_len: usize) -> Result<(), InstanceError> {
        // last_seen_in[x] = 1 + the list that last named x; avoids clearing a set per list.
        let mut last_seen_in = vec![0u32; other_side_len];
        for owner in 0..self.len() {
            let stamp = owner as u32 + 1;
            for &entry in self.list(owner) {
                let owner = owner as u32;
                let Some(seen) = last_seen_in.get_mut(entry as usize) else {
                    return Err(InstanceError::UnknownEntry { side, owner, entry });
                };
                if *seen == stamp {
                    return Err(InstanceError::RepeatedEntry { side, owner, entry });
                }
                *seen = stamp;
            }
        }
        Ok(())
    }
}

/// A hospital–residents instance: youth rank companies, companies rank youth, companies have places.
///
/// Lists are strict and may be incomplete. A pair is *acceptable* only when each lists the other.
#[derive(Clone, Debug)]
pub struct Instance {
    pub(crate) youth_prefs: PreferenceLists,
    pub(crate) company_prefs: PreferenceLists,
    pub(crate) capacities: Vec<u32>,
    company_ranks: CompanyRanks,
    /// For each position in `company_prefs`: where that youth ranks this company, or [`UNRANKED`].
    /// Only company-proposing needs it, so the matrix layout builds it on first use.
    youth_rank_at_company_choice: OnceLock<Vec<u32>>,
}

impl Instance {
    /// `youth_prefs[y]` lists company indices best first; `company_prefs[c]` lists youth indices best
    /// first; `capacities[c]` is how many youth company `c` can take.
    pub fn new(
        youth_prefs: &[Vec<u32>],
        company_prefs: &[Vec<u32>],
        capacities: Vec<u32>,
    ) -> Result<Instance, InstanceError> {
        Instance::from_lists(youth_prefs.into(), company_prefs.into(), capacities)
    }

    /// As [`Instance::new`], from lists already stored back to back.
    pub fn from_lists(
        youth_prefs: PreferenceLists,
        company_prefs: PreferenceLists,
        capacities: Vec<u32>,
    ) -> Result<Instance, InstanceError> {
        // The matrix pays off while it is no larger than the lists themselves, a few times over.
        let cells = youth_prefs.len().saturating_mul(company_prefs.len());
        let layout = if cells <= 4 * (youth_prefs.entries.len() + company_prefs.entries.len()) {
            Layout::Matrix
        } else {
            Layout::Slots
        };
        Instance::with_layout(youth_prefs, company_prefs, capacities, layout)
    }

    /// As [`Instance::from_lists`], with the rank layout chosen by the caller (tests use both).
    /// Results never depend on the layout; only speed and memory do.
    pub fn with_layout(
        youth_prefs: PreferenceLists,
        company_prefs: PreferenceLists,
        capacities: Vec<u32>,
        layout: Layout,
    ) -> Result<Instance, InstanceError> {
        if capacities.len() != company_prefs.len() {
            return Err(InstanceError::CapacityCountMismatch {
                companies: company_prefs.len(),
                capacities: capacities.len(),
            });
        }
        if youth_prefs.len() >= UNRANKED as usize
            || company_prefs.len() >= UNRANKED as usize
            || youth_prefs.entries.len() + company_prefs.entries.len() >= UNRANKED as usize
        {
            return Err(InstanceError::TooLarge);
        }
        youth_prefs.validate(Side::Youth, company_prefs.len())?;
        company_prefs.validate(Side::Company, youth_prefs.len())?;
        Ok(Instance::index(
            youth_prefs,
            company_prefs,
            capacities,
            layout,
        ))
    }

    /// Builds the rank lookups; `new` has validated the lists.
    fn index(
        youth_prefs: PreferenceLists,
        company_prefs: PreferenceLists,
        capacities: Vec<u32>,
        layout: Layout,
    ) -> Instance {
        let youth_rank_at_company_choice = OnceLock::new();
        let company_ranks = match layout {
            Layout::Matrix => CompanyRanks::matrix(youth_prefs.len(), &company_prefs),
            Layout::Slots => {
                let (ranks, youth_ranks) = CompanyRanks::slots(&youth_prefs, &company_prefs);
                youth_rank_at_company_choice.get_or_init(|| youth_ranks);
                ranks
            }
        };
        Instance {
            youth_prefs,
            company_prefs,
            capacities,
            company_ranks,
            youth_rank_at_company_choice,
        }
    }

    /// Where the company at position `choice` of `youth_prefs` (the list of `youth`) ranks that
    /// youth, or [`UNRANKED`].
    #[inline]
    pub(crate) fn company_rank_at_youth_choice(&self, youth: u32, choice: usize) -> u32 {
        match &self.company_ranks {
            CompanyRanks::Matrix { youth_count, rank } => {
                let company = self.youth_prefs.entries()[choice] as usize;
                rank[company * youth_count + youth as usize]
            }
            CompanyRanks::Slots {
                choice_slot,
                rank_by_slot,
            } => rank_by_slot[choice_slot[choice] as usize],
        }
    }

    /// For each position in `company_prefs`: where that youth ranks the company, or [`UNRANKED`].
    pub(crate) fn youth_rank_at_company_choice(&self) -> &[u32] {
        self.youth_rank_at_company_choice.get_or_init(|| {
            let mut youth_ranks = vec![UNRANKED; self.company_prefs.entries().len()];
            for youth in 0..self.youth_count() {
                for (position, choice) in self.youth_prefs.range(youth).enumerate() {
                    let rank = self.company_rank_at_youth_choice(youth as u32, choice);
                    if rank != UNRANKED {
                        let company = self.youth_prefs.entries()[choice] as usize;
                        youth_ranks[self.company_prefs.range(company).start + rank as usize] =
                            position as u32;
                    }
                }
            }
            youth_ranks
        })
    }

    pub fn youth_count(&self) -> usize {
        self.youth_prefs.len()
    }

    pub fn company_count(&self) -> usize {
        self.company_prefs.len()
    }

    pub fn youth(&self) -> impl ExactSizeIterator<Item = Youth> + use<> {
        (0..self.youth_count() as u32).map(Youth)
    }

    pub fn companies(&self) -> impl ExactSizeIterator<Item = Company> + use<> {
        (0..self.company_count() as u32).map(Company)
    }

    /// The companies `youth` ranked, best first.
    pub fn youth_list(&self, youth: Youth) -> impl ExactSizeIterator<Item = Company> + '_ {
        self.youth_prefs
            .list(youth.index())
            .iter()
            .map(|&c| Company(c))
    }

    /// The youth `company` ranked, best first.
    pub fn company_list(&self, company: Company) -> impl ExactSizeIterator<Item = Youth> + '_ {
        self.company_prefs
            .list(company.index())
            .iter()
            .map(|&y| Youth(y))
    }

    pub fn capacity(&self, company: Company) -> u32 {
        self.capacities[company.index()]
    }

    /// Where `youth` ranks `company` (0 = first choice), if at all.
    pub fn youth_rank(&self, youth: Youth, company: Company) -> Option<u32> {
        self.youth_prefs
            .list(youth.index())
            .iter()
            .position(|&c| c == company.0)
            .map(|p| p as u32)
    }

    /// Where `company` ranks `youth` (0 = best), if at all.
    pub fn company_rank(&self, company: Company, youth: Youth) -> Option<u32> {
        let range = self.youth_prefs.range(youth.index());
        let position = self
            .youth_prefs
            .list(youth.index())
            .iter()
            .position(|&c| c == company.0)?;
        let rank = self.company_rank_at_youth_choice(youth.0, range.start + position);
        (rank != UNRANKED).then_some(rank)
    }

    /// Both listed each other.
    pub fn is_acceptable(&self, youth: Youth, company: Company) -> bool {
        self.company_rank(company, youth).is_some()
    }

    /// The same instance with `youth`'s list replaced, e.g. to test what a misreport would gain.
    pub fn with_youth_list(&self, youth: Youth, list: Vec<u32>) -> Result<Instance, InstanceError> {
        let mut youth_prefs =
            PreferenceLists::with_capacity(self.youth_count(), self.youth_prefs.entries.len());
        for y in 0..self.youth_count() {
            if y == youth.index() {
                youth_prefs.push(list.iter().copied());
            } else {
                youth_prefs.push(self.youth_prefs.list(y).iter().copied());
            }
        }
        Instance::from_lists(
            youth_prefs,
            self.company_prefs.clone(),
            self.capacities.clone(),
        )
    }
}

/// How an [`Instance`] stores each company's rank of the youth who chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A companies × youth matrix: fastest when lists are long (2,000 × 200, full lists), but it
    /// would need 4 GB at 100,000 × 10,000.
    Matrix,
    /// The youth's choices regrouped by company: memory in proportion to the lists.
    Slots,
}

/// The rank lookup for each [`Layout`].
#[derive(Clone, Debug)]
enum CompanyRanks {
    /// `rank[company * youth_count + youth]`.
    Matrix { youth_count: usize, rank: Vec<u32> },
    /// Each youth choice has a slot; slots are grouped by company, so building touches memory in
    /// order: `rank_by_slot[choice_slot[choice]]`.
    Slots {
        choice_slot: Vec<u32>,
        rank_by_slot: Vec<u32>,
    },
}

impl CompanyRanks {
    fn matrix(youth_count: usize, company_prefs: &PreferenceLists) -> CompanyRanks {
        let mut rank = vec![UNRANKED; company_prefs.len() * youth_count];
        for company in 0..company_prefs.len() {
            let row = &mut rank[company * youth_count..(company + 1) * youth_count];
            for (position, &youth) in company_prefs.list(company).iter().enumerate() {
                row[youth as usize] = position as u32;
            }
        }
        CompanyRanks::Matrix { youth_count, rank }
    }

    /// Also returns the youth's rank at each company choice, which falls out of the same pass.
    /// O(total list length): a counting sort groups the youth choices by company, then each
    /// company's list is walked once with a scratch "rank of youth" array.
    fn slots(
        youth_prefs: &PreferenceLists,
        company_prefs: &PreferenceLists,
    ) -> (CompanyRanks, Vec<u32>) {
        let company_count = company_prefs.len();
        let choice_count = youth_prefs.entries().len();
        let mut slot_starts = vec![0u32; company_count + 1];
        for &company in youth_prefs.entries() {
            slot_starts[company as usize + 1] += 1;
        }
        for c in 0..company_count {
            slot_starts[c + 1] += slot_starts[c];
        }
        let mut next_slot = slot_starts.clone();
        let mut choice_slot = vec![0u32; choice_count];
        // For each slot: the youth who made the choice and its position in their list.
        let mut chooser = vec![(0u32, 0u32); choice_count];
        for youth in 0..youth_prefs.len() {
            for (position, choice) in youth_prefs.range(youth).enumerate() {
                let company = youth_prefs.entries()[choice] as usize;
                let slot = next_slot[company];
                next_slot[company] += 1;
                choice_slot[choice] = slot;
                chooser[slot as usize] = (youth as u32, position as u32);
            }
        }

        let mut rank_by_slot = vec![UNRANKED; choice_count];
        let mut youth_rank_at_company_choice = vec![UNRANKED; company_prefs.entries().len()];
        let mut rank_of_youth = vec![UNRANKED; youth_prefs.len()];
        for company in 0..company_count {
            let list = company_prefs.list(company);
            for (rank, &youth) in list.iter().enumerate() {
                rank_of_youth[youth as usize] = rank as u32;
            }
            let company_start = company_prefs.range(company).start;
            let slots = slot_starts[company] as usize..slot_starts[company + 1] as usize;
            for (slot, &(youth, position)) in slots.clone().zip(&chooser[slots]) {
                let rank = rank_of_youth[youth as usize];
                rank_by_slot[slot] = rank;
                if rank != UNRANKED {
                    youth_rank_at_company_choice[company_start + rank as usize] = position;
                }
            }
            for &youth in list {
                rank_of_youth[youth as usize] = UNRANKED;
            }
        }
        (
            CompanyRanks::Slots {
                choice_slot,
                rank_by_slot,
            },
            youth_rank_at_company_choice,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_ranks_agree_with_lists() {
        let instance = Instance::new(
            &[vec![1, 0], vec![0], vec![]],
            &[vec![2, 0], vec![1]],
            vec![1, 1],
        )
        .unwrap();
        assert_eq!(instance.company_rank(Company(0), Youth(0)), Some(1));
        assert_eq!(
            instance.company_rank(Company(1), Youth(0)),
            None,
            "company 1 did not list youth 0"
        );
        assert_eq!(
            instance.company_rank(Company(0), Youth(1)),
            None,
            "company 0 did not list youth 1"
        );
        assert_eq!(instance.youth_rank(Youth(0), Company(0)), Some(1));
        assert_eq!(
            instance.youth_rank_at_company_choice(),
            &[UNRANKED, 1, UNRANKED]
        );
    }

    /// Both layouts answer every lookup the same, including the lazily built youth ranks.
    #[test]
    fn matrix_and_slot_layouts_agree() {
        let youth_lists = [vec![2, 0, 1], vec![1], vec![], vec![0, 2], vec![2, 1]];
        let company_lists = [vec![3, 0, 4], vec![1, 4, 2], vec![0, 3]];
        let build = |layout| {
            let youth = PreferenceLists::from(&youth_lists[..]);
            let companies = PreferenceLists::from(&company_lists[..]);
            Instance::index(youth, companies, vec![1, 1, 1], layout)
        };
        let (matrix, slots) = (build(Layout::Matrix), build(Layout::Slots));
        assert!(matches!(matrix.company_ranks, CompanyRanks::Matrix { .. }));
        assert!(matches!(slots.company_ranks, CompanyRanks::Slots { .. }));
        for youth in 0..youth_lists.len() {
            for choice in matrix.youth_prefs.range(youth) {
                assert_eq!(
                    matrix.company_rank_at_youth_choice(youth as u32, choice),
                    slots.company_rank_at_youth_choice(youth as u32, choice)
                );
            }
        }
        assert_eq!(
            matrix.youth_rank_at_company_choice(),
            slots.youth_rank_at_company_choice()
        );
        assert_eq!(
            matrix.youth_rank_at_company_choice(),
            &[0, 1, UNRANKED, 0, 1, UNRANKED, 0, 1]
        );
    }

    #[test]
    fn rejects_unknown_and_repeated_entries() {
        let unknown = Instance::new(&[vec![3]], &[vec![0]], vec![1]).unwrap_err();
        assert_eq!(
            unknown,
            InstanceError::UnknownEntry {
                side: Side::Youth,
                owner: 0,
                entry: 3
            }
        );
        assert_eq!(unknown.to_string(), "youth 0 lists unknown company 3");
        let repeated = Instance::new(&[vec![0]], &[vec![0, 0]], vec![1]).unwrap_err();
        assert_eq!(
            repeated,
            InstanceError::RepeatedEntry {
                side: Side::Company,
                owner: 0,
                entry: 0
            }
        );
        assert_eq!(
            repeated.to_string(),
            "company 0 lists youth 0 more than once"
        );
        assert_eq!(
            Instance::new(&[], &[vec![]], vec![]).unwrap_err(),
            InstanceError::CapacityCountMismatch {
                companies: 1,
                capacities: 0
            }
        );
    }
}
