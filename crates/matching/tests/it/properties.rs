//! The theorems deferred acceptance must satisfy, checked on random instances.

use proptest::prelude::*;
use spire_matching::{
    Company, Instability, Language, Reason, Youth, check_stability, company_proposing, explain_all,
    youth_proposing,
};

use crate::support::{LAYOUTS, Lists, lists, matched, ranked_subset};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_result_is_stable(lists in lists(40, 8, 4)) {
        for (instance, matching) in both_sides_in_both_layouts(&lists) {
            prop_assert_eq!(check_stability(&instance, &matching), Ok(()));
            prop_assert!(lists.is_stable(matching.assignments()));
        }
    }

    #[test]
    fn nobody_is_matched_outside_both_lists_or_beyond_capacity(lists in lists(40, 8, 4)) {
        for (_, matching) in both_sides_in_both_layouts(&lists) {
            let mut load = vec![0u32; lists.companies.len()];
            for (youth, company) in matching.pairs() {
                prop_assert!(lists.youth[youth.index()].contains(&company.0), "on the youth's list");
                prop_assert!(lists.companies[company.index()].contains(&youth.0), "on the company's list");
                load[company.index()] += 1;
            }
            prop_assert!(load.iter().zip(&lists.capacities).all(|(l, c)| l <= c));
        }
    }

    /// Enumerates every stable matching: youth-proposing is the best of them for every youth,
    /// company-proposing the worst; and the crate's checker agrees with the definition.
    #[test]
    fn youth_proposing_is_youth_optimal_among_all_stable_matchings(lists in lists(6, 3, 2)) {
        let instance = lists.instance();
        let best = youth_proposing(&instance);
        let worst = company_proposing(&instance);
        let mut stable_count = 0;
        for candidate in lists.all_valid_matchings() {
            let stable = lists.is_stable(&candidate);
            let candidate_matching = spire_matching::Matching::from_assignments(candidate.clone());
            prop_assert_eq!(check_stability(&instance, &candidate_matching).is_ok(), stable);
            if !stable {
                continue;
            }
            stable_count += 1;
            for youth in 0..lists.youth.len() {
                prop_assert!(lists.youth_rank(youth, matched(&best, youth)) <= lists.youth_rank(youth, candidate[youth]));
                prop_assert!(lists.youth_rank(youth, matched(&worst, youth)) >= lists.youth_rank(youth, candidate[youth]));
            }
        }
        prop_assert!(stable_count >= 1, "a stable matching always exists");
    }

    /// One youth replaces their true list with another; by their true list they never do better.
    #[test]
    fn misreporting_never_helps_a_youth(
        lists in lists(30, 6, 3),
        liar_pick in any::<prop::sample::Index>(),
        lie in ranked_subset(6),
    ) {
        prop_assume!(!lists.youth.is_empty());
        let instance = lists.instance();
        let liar = liar_pick.index(lists.youth.len());
        let lie: Vec<u32> = lie.into_iter().filter(|&c| (c as usize) < lists.companies.len()).collect();
        let truthful = youth_proposing(&instance);
        let lying = youth_proposing(&instance.with_youth_list(Youth(liar as u32), lie).unwrap());
        prop_assert!(lists.youth_rank(liar, matched(&lying, liar)) >= lists.youth_rank(liar, matched(&truthful, liar)));
    }

    /// Rural hospitals theorem: the same youth are unmatched in every stable matching, and a
    /// company short of its places gets exactly the same youth.
    #[test]
    fn the_same_youth_are_unmatched_whichever_side_proposes(lists in lists(40, 8, 4)) {
        for layout in LAYOUTS {
            let instance = lists.instance_in(layout);
            let by_youth = youth_proposing(&instance);
            let by_companies = company_proposing(&instance);
            prop_assert_eq!(by_youth.unmatched_youth().collect::<Vec<_>>(), by_companies.unmatched_youth().collect::<Vec<_>>());
            let youth_side = by_youth.youth_by_company(lists.companies.len());
            let company_side = by_companies.youth_by_company(lists.companies.len());
            for company in 0..lists.companies.len() {
                prop_assert_eq!(youth_side[company].len(), company_side[company].len());
                if (youth_side[company].len() as u32) < lists.capacities[company] {
                    prop_assert_eq!(&youth_side[company], &company_side[company]);
                }
            }
        }
    }

    /// In a stable matching every company a youth ranked higher has a reason that is true.
    #[test]
    fn explanations_give_true_reasons(lists in lists(30, 6, 3)) {
        let instance = lists.instance();
        let matching = youth_proposing(&instance);
        for explanation in explain_all(&instance, &matching).unwrap() {
            let youth = explanation.youth.index();
            let better = lists.youth_rank(youth, matched(&matching, youth));
            prop_assert_eq!(explanation.better_choices.len(), better);
            for choice in &explanation.better_choices {
                let company = choice.company.index();
                prop_assert_eq!(lists.youth[youth][choice.choice as usize - 1], choice.company.0);
                let listed_youth = lists.companies[company].contains(&(youth as u32));
                match choice.reason {
                    Reason::DidNotWelcome => prop_assert!(!listed_youth),
                    Reason::NoPlaces => prop_assert_eq!(lists.capacities[company], 0),
                    Reason::FilledByHigherRanked { places } => {
                        prop_assert_eq!(places, lists.capacities[company]);
                        let held = matching.pairs().filter(|&(_, c)| c == choice.company).count() as u32;
                        prop_assert_eq!(held, places);
                    }
                    Reason::WouldHaveWelcomed => prop_assert!(false, "stable matchings have no blocking pair"),
                }
            }
            for language in [Language::Danish, Language::English] {
                prop_assert!(!explanation.render(language, |_| "X").is_empty());
            }
        }
    }
}

/// Youth- and company-proposing results, each computed in both rank layouts.
fn both_sides_in_both_layouts(
    lists: &Lists,
) -> Vec<(spire_matching::Instance, spire_matching::Matching)> {
    let mut results = Vec::new();
    for layout in LAYOUTS {
        let instance = lists.instance_in(layout);
        for matching in [youth_proposing(&instance), company_proposing(&instance)] {
            results.push((instance.clone(), matching));
        }
    }
    results
}

#[test]
fn stability_checker_finds_the_blocking_pair_an_override_creates() {
    // Youth 0 and company 0 rank each other first; an override sends youth 0 to company 1.
    let lists = Lists {
        youth: vec![vec![0, 1], vec![0, 1]],
        companies: vec![vec![0, 1], vec![0, 1]],
        capacities: vec![1, 1],
    };
    let instance = lists.instance();
    let overridden =
        spire_matching::Matching::from_assignments(vec![Some(Company(1)), Some(Company(0))]);
    assert_eq!(
        check_stability(&instance, &overridden),
        Err(Instability::BlockingPair {
            youth: Youth(0),
            company: Company(0)
        })
    );
    assert!(!lists.is_stable(overridden.assignments()));
}
