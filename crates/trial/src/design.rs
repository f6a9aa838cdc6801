//! Trial designs and their canonical document, the thing the commitment binds.

use crate::encoding::{DecodeError, Reader, Writer};
use std::fmt;

/// The two arms of Spire's trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arm {
    Programme,
    Control,
}

impl Arm {
    /// Canonical order: blocks are filled programme first, then control, before shuffling.
    pub const ALL: [Arm; 2] = [Arm::Programme, Arm::Control];

    /// The byte in canonical encodings.
    pub fn code(self) -> u8 {
        match self {
            Arm::Programme => 1,
            Arm::Control => 2,
        }
    }

    pub fn from_code(code: u8) -> Option<Arm> {
        match code {
            1 => Some(Arm::Programme),
            2 => Some(Arm::Control),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Programme => "programme",
            Arm::Control => "control",
        }
    }

    /// The inverse of `as_str`.
    pub fn from_name(name: &str) -> Option<Arm> {
        Arm::ALL.into_iter().find(|arm| arm.as_str() == name)
    }

    pub fn other(self) -> Arm {
        match self {
            Arm::Programme => Arm::Control,
            Arm::Control => Arm::Programme,
        }
    }
}

impl fmt::Display for Arm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Allocation ratio programme : control, e.g. 1:1 or 2:1. Stored unreduced, as the trial declared it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    pub programme: u32,
    pub control: u32,
}

impl Ratio {
    pub const EQUAL: Ratio = Ratio {
        programme: 1,
        control: 1,
    };

    pub fn sum(self) -> u32 {
        self.programme + self.control
    }

    pub fn weight(self, arm: Arm) -> u32 {
        match arm {
            Arm::Programme => self.programme,
            Arm::Control => self.control,
        }
    }
}

/// An exact probability `numerator / denominator`; exact so the canonical document has no floats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probability {
    pub numerator: u32,
    pub denominator: u32,
}

impl Probability {
    /// Pocock–Simon's customary 0.8.
    pub const DEFAULT_PREFERRED: Probability = Probability {
        numerator: 4,
        denominator: 5,
    };
}

/// How minimisation scores the imbalance a candidate arm would leave in one factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imbalance {
    /// |difference| of the ratio-scaled arm counts.
    Range,
    /// The squared difference (proportional to the variance of the two scaled counts).
    Variance,
}

impl Imbalance {
    pub fn as_str(self) -> &'static str {
        match self {
            Imbalance::Range => "range",
            Imbalance::Variance => "variance",
        }
    }

    /// The inverse of `as_str`.
    pub fn from_name(name: &str) -> Option<Imbalance> {
        [Imbalance::Range, Imbalance::Variance]
            .into_iter()
            .find(|i| i.as_str() == name)
    }
}

/// How allocations are drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// Each allocation drawn independently with the ratio's probabilities.
    Complete,
    /// Permuted blocks within each stratum; each block's size is `multiple × ratio.sum()` with the
    /// multiple drawn uniformly from `block_multiples` (default {1, 2, 3}, i.e. sizes {2, 4, 6} at 1:1).
    StratifiedBlocks { block_multiples: Vec<u32> },
    /// Pocock–Simon minimisation over the design's factors. `weights[i]` weights `factors[i]`.
    Minimisation {
        weights: Vec<u32>,
        imbalance: Imbalance,
        preferred_probability: Probability,
    },
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::Complete => "complete",
            Method::StratifiedBlocks { .. } => "stratified_blocks",
            Method::Minimisation { .. } => "minimisation",
        }
    }
}

/// One version of a trial's design. Version 1 is fixed when the trial opens; amendments add versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Design {
    pub trial_id: String,
    pub version: u32,
    pub ratio: Ratio,
    /// Stratification factor names, in the order stratum keys list them (e.g. municipality,
    /// age_band, readiness). Recorded for `complete`; the strata of `stratified_blocks`; the
    /// margins of `minimisation`.
    pub factors: Vec<String>,
    pub method: Method,
}

/// Limits that keep every block small and every document bounded.
pub const MAX_BLOCK_SIZE: u32 = 1024;
pub const MAX_RATIO_PART: u32 = 100;
pub const MAX_FACTORS: usize = 32;
pub const MAX_TEXT_LEN: usize = 256;

/// Why a design cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesignError(pub String);

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DesignError {}

fn invalid(reason: impl Into<String>) -> Result<(), DesignError> {
    Err(DesignError(reason.into()))
}

impl Design {
    /// The default stratified design: 1:1, block sizes {2, 4, 6}.
    pub fn stratified_blocks(trial_id: &str, factors: &[&str]) -> Design {
        Design {
            trial_id: trial_id.to_owned(),
            version: 1,
            ratio: Ratio::EQUAL,
            factors: factors.iter().map(|f| f.to_string()).collect(),
            method: Method::StratifiedBlocks {
                block_multiples: vec![1, 2, 3],
            },
        }
    }

    pub fn validate(&self) -> Result<(), DesignError> {
        if self.trial_id.is_empty() || self.trial_id.len() > MAX_TEXT_LEN {
            return invalid("trial id must be 1 to 256 bytes");
        }
        if self.version == 0 {
            return invalid("design versions start at 1");
        }
        let Ratio { programme, control } = self.ratio;
        if !(1..=MAX_RATIO_PART).contains(&programme) || !(1..=MAX_RATIO_PART).contains(&control) {
            return invalid("each ratio part must be between 1 and 100");
        }
        if self.factors.len() > MAX_FACTORS {
            return invalid("at most 32 stratification factors");
        }
        for (i, factor) in self.factors.iter().enumerate() {
            if factor.is_empty() || factor.len() > MAX_TEXT_LEN {
                return invalid("factor names must be 1 to 256 bytes");
            }
            if self.factors[..i].contains(factor) {
                return invalid(format!("factor {factor:?} is listed twice"));
            }
        }
        match &self.method {
            Method::Complete => Ok(()),
            Method::StratifiedBlocks { block_multiples } => {
                if block_multiples.is_empty() {
                    return invalid("at least one block size");
                }
                for (i, &multiple) in block_multiples.iter().enumerate() {
                    if multiple == 0
                        || u64::from(multiple) * u64::from(self.ratio.sum())
                            > u64::from(MAX_BLOCK_SIZE)
                    {
                        return invalid(
                            "each block size (multiple × ratio sum) must be between 1 and 1024",
                        );
                    }
                    if block_multiples[..i].contains(&multiple) {
                        return invalid("block sizes must be distinct");
                    }
                }
                Ok(())
            }
            Method::Minimisation {
                weights,
                preferred_probability,
                ..
            } => {
                if self.factors.is_empty() {
                    return invalid("minimisation needs at least one factor");
                }
                if weights.len() != self.factors.len() {
                    return invalid("minimisation needs one weight per factor");
                }
                if weights.iter().any(|&w| w == 0 || w > 1000) {
                    return invalid("factor weights must be between 1 and 1000");
                }
                let Probability {
                    numerator,
                    denominator,
                } = *preferred_probability;
                // p below 1/2 would favour the arm that worsens balance.
                if denominator == 0
                    || numerator > denominator
                    || u64::from(numerator) * 2 < u64::from(denominator)
                {
                    return invalid("the preferred-arm probability must be between 1/2 and 1");
                }
                Ok(())
            }
        }
    }

    /// Block sizes in draw order (stratified blocks only).
    pub fn block_sizes(&self) -> Vec<u32> {
        match &self.method {
            Method::StratifiedBlocks { block_multiples } => block_multiples
                .iter()
                .map(|m| m * self.ratio.sum())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The largest block size (0 unless stratified blocks).
    pub fn largest_block(&self) -> u32 {
        self.block_sizes().into_iter().max().unwrap_or(0)
    }

    /// The canonical design document (see README for the byte layout).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::with_domain(DESIGN_DOMAIN);
        writer
            .str(&self.trial_id)
            .u32(self.version)
            .u32(self.ratio.programme)
            .u32(self.ratio.control);
        writer.len(self.factors.len());
        for factor in &self.factors {
            writer.str(factor);
        }
        match &self.method {
            Method::Complete => {
                writer.u8(METHOD_COMPLETE);
            }
            Method::StratifiedBlocks { block_multiples } => {
                writer.u8(METHOD_BLOCKS).len(block_multiples.len());
                for &multiple in block_multiples {
                    writer.u32(multiple);
                }
            }
            Method::Minimisation {
                weights,
                imbalance,
                preferred_probability,
            } => {
                writer.u8(METHOD_MINIMISATION).len(weights.len());
                for &weight in weights {
                    writer.u32(weight);
                }
                writer.u8(match imbalance {
                    Imbalance::Range => 1,
                    Imbalance::Variance => 2,
                });
                writer
                    .u32(preferred_probability.numerator)
                    .u32(preferred_probability.denominator);
            }
        }
        writer.finish()
    }

    /// Reads a canonical design document back; refuses anything non-canonical or invalid.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Design, DecodeError> {
        let mut reader = Reader::with_domain(bytes, DESIGN_DOMAIN)?;
        let trial_id = reader.string("trial id")?;
        let version = reader.u32()?;
        let ratio = Ratio {
            programme: reader.u32()?,
            control: reader.u32()?,
        };
        let factor_count = reader.len()?;
        let factors = (0..factor_count)
            .map(|_| reader.string("factor"))
            .collect::<Result<_, _>>()?;
        let method = match reader.u8()? {
            METHOD_COMPLETE => Method::Complete,
            METHOD_BLOCKS => {
                let count = reader.len()?;
                Method::StratifiedBlocks {
                    block_multiples: (0..count).map(|_| reader.u32()).collect::<Result<_, _>>()?,
                }
            }
            METHOD_MINIMISATION => {
                let count = reader.len()?;
                let weights = (0..count).map(|_| reader.u32()).collect::<Result<_, _>>()?;
                let imbalance = match reader.u8()? {
                    1 => Imbalance::Range,
                    2 => Imbalance::Variance,
                    tag => {
                        return Err(DecodeError::UnknownTag {
                            field: "imbalance",
                            tag,
                        });
                    }
                };
                let preferred_probability = Probability {
                    numerator: reader.u32()?,
                    denominator: reader.u32()?,
                };
                Method::Minimisation {
                    weights,
                    imbalance,
                    preferred_probability,
                }
            }
            tag => {
                return Err(DecodeError::UnknownTag {
                    field: "method",
                    tag,
                });
            }
        };
        reader.finish()?;
        let design = Design {
            trial_id,
            version,
            ratio,
            factors,
            method,
        };
        design.validate().map_err(|e| DecodeError::Invalid(e.0))?;
        Ok(design)
    }

    /// SHA-256 of the canonical document: what an amendment leaf records.
    pub fn digest(&self) -> [u8; 32] {
        crate::sha256(&self.canonical_bytes())
    }

    /// What an amendment entry of log version 2 holds instead of the digest:
    /// HMAC-SHA256 under the trial key of `str("spire-trial/amendment/v2")
    /// bytes(canonical document)`. The plain digest of a low-entropy document
    /// could be found by trying designs against the public leaf hash, which
    /// would give away the new block sizes while the trial recruits.
    pub fn sealed_digest(&self, key: &crate::TrialKey) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut writer = Writer::with_domain("spire-trial/amendment/v2");
        writer.bytes(&self.canonical_bytes());
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes())
            .expect("HMAC takes any key length");
        mac.update(&writer.finish());
        mac.finalize().into_bytes().into()
    }

    /// Checks that a stratum key names exactly this design's factors, in order.
    pub fn check_stratum(&self, stratum: &StratumKey) -> Result<(), DesignError> {
        let names_match = stratum.levels.len() == self.factors.len()
            && stratum
                .levels
                .iter()
                .zip(&self.factors)
                .all(|((name, _), factor)| name == factor);
        if !names_match {
            return invalid(format!(
                "stratum {stratum} does not name the design's factors {:?}",
                self.factors
            ));
        }
        if stratum
            .levels
            .iter()
            .any(|(_, level)| level.len() > MAX_TEXT_LEN)
        {
            return invalid("stratum levels must be at most 256 bytes");
        }
        Ok(())
    }
}

const DESIGN_DOMAIN: &str = "spire-trial/design/v1";
const METHOD_COMPLETE: u8 = 1;
const METHOD_BLOCKS: u8 = 2;
const METHOD_MINIMISATION: u8 = 3;

/// The version of the whole derivation (contexts, sampling, shuffle, designs). Bound into the
/// commitment, so a trial opened under one algorithm can never be replayed under another.
pub const ALGORITHM_VERSION: &str = "spire-trial-allocation/1";

const COMMITMENT_V2_DOMAIN: &str = "spire-trial/commitment/v2";
const COMMITMENT_DOMAIN: &str = "spire-trial/commitment/v1";

/// The published commitment: SHA-256 of the domain label, the key, the canonical design document
/// and the algorithm version, each length-prefixed.
pub fn commitment(key: &crate::TrialKey, design: &Design) -> [u8; 32] {
    let mut writer = Writer::with_domain(COMMITMENT_DOMAIN);
    writer
        .bytes(key.as_bytes())
        .bytes(&design.canonical_bytes())
        .str(ALGORITHM_VERSION);
    crate::sha256(&writer.finish())
}

/// The commitment of log version 2 (trials opened since the public log): as v1, and it also
/// binds the public key that signs the trial's heads, so a key swapped after opening shows.
pub fn commitment_v2(
    key: &crate::TrialKey,
    design: &Design,
    head_public_key: &[u8; 32],
) -> [u8; 32] {
    let mut writer = Writer::with_domain(COMMITMENT_V2_DOMAIN);
    writer
        .bytes(key.as_bytes())
        .bytes(&design.canonical_bytes())
        .str(ALGORITHM_VERSION)
        .bytes(head_public_key);
    crate::sha256(&writer.finish())
}

/// A subject's stratum: (factor, level) pairs in the design's factor order,
/// e.g. `[("municipality", "101"), ("age_band", "18-24")]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StratumKey {
    levels: Vec<(String, String)>,
}

impl StratumKey {
    pub fn new<F: Into<String>, L: Into<String>>(
        levels: impl IntoIterator<Item = (F, L)>,
    ) -> StratumKey {
        StratumKey {
            levels: levels
                .into_iter()
                .map(|(f, l)| (f.into(), l.into()))
                .collect(),
        }
    }

    pub fn levels(&self) -> &[(String, String)] {
        &self.levels
    }

    /// The level of one factor, if the key has it.
    pub fn level(&self, factor: &str) -> Option<&str> {
        self.levels
            .iter()
            .find(|(name, _)| name == factor)
            .map(|(_, level)| level.as_str())
    }

    pub(crate) fn encode_into(&self, writer: &mut Writer) {
        writer.len(self.levels.len());
        for (factor, level) in &self.levels {
            writer.str(factor).str(level);
        }
    }

    pub(crate) fn decode_from(reader: &mut Reader<'_>) -> Result<StratumKey, DecodeError> {
        let count = reader.len()?;
        let levels = (0..count)
            .map(|_| Ok((reader.string("factor")?, reader.string("level")?)))
            .collect::<Result<_, DecodeError>>()?;
        Ok(StratumKey { levels })
    }
}

impl fmt::Display for StratumKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (factor, level)) in self.levels.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{factor}={level}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn designs() -> Vec<Design> {
        let blocks = Design::stratified_blocks("trial-a", &["municipality", "age_band"]);
        let complete = Design {
            method: Method::Complete,
            ratio: Ratio {
                programme: 2,
                control: 1,
            },
            ..blocks.clone()
        };
        let minimisation = Design {
            method: Method::Minimisation {
                weights: vec![2, 1],
                imbalance: Imbalance::Variance,
                preferred_probability: Probability::DEFAULT_PREFERRED,
            },
            ..blocks.clone()
        };
        vec![blocks, complete, minimisation]
    }

    #[test]
    fn names_round_trip() {
        for arm in Arm::ALL {
            assert_eq!(Arm::from_name(arm.as_str()), Some(arm));
            assert_eq!(Arm::from_code(arm.code()), Some(arm));
        }
        assert_eq!(Imbalance::from_name("variance"), Some(Imbalance::Variance));
        assert_eq!(Imbalance::from_name("range"), Some(Imbalance::Range));
        assert_eq!(Arm::from_name("treatment"), None);
    }

    #[test]
    fn canonical_document_round_trips() {
        for design in designs() {
            let bytes = design.canonical_bytes();
            assert_eq!(Design::from_canonical_bytes(&bytes), Ok(design));
        }
    }

    #[test]
    fn decoding_refuses_trailing_and_truncated_bytes() {
        let mut bytes = designs()[0].canonical_bytes();
        bytes.push(0);
        assert_eq!(
            Design::from_canonical_bytes(&bytes),
            Err(DecodeError::TrailingBytes)
        );
        bytes.truncate(bytes.len() - 2);
        assert_eq!(
            Design::from_canonical_bytes(&bytes),
            Err(DecodeError::Truncated)
        );
    }

    #[test]
    fn commitment_binds_key_and_every_design_field() {
        let key = crate::TrialKey::from_bytes([1; 32]);
        let base = designs()[0].clone();
        let reference = commitment(&key, &base);
        assert_ne!(
            reference,
            commitment(&crate::TrialKey::from_bytes([2; 32]), &base)
        );
        let changed = [
            Design {
                version: 2,
                ..base.clone()
            },
            Design {
                ratio: Ratio {
                    programme: 2,
                    control: 1,
                },
                ..base.clone()
            },
            Design {
                factors: vec!["municipality".into()],
                ..base.clone()
            },
            Design {
                method: Method::StratifiedBlocks {
                    block_multiples: vec![1, 2],
                },
                ..base.clone()
            },
            Design {
                trial_id: "trial-b".into(),
                ..base.clone()
            },
        ];
        for design in changed {
            assert_ne!(reference, commitment(&key, &design), "{design:?}");
        }
    }

    #[test]
    fn validation_rejects_nonsense() {
        let base = designs()[2].clone();
        let bad = [
            Design {
                version: 0,
                ..base.clone()
            },
            Design {
                ratio: Ratio {
                    programme: 0,
                    control: 1,
                },
                ..base.clone()
            },
            Design {
                factors: vec!["a".into(), "a".into()],
                ..base.clone()
            },
            Design {
                method: Method::Minimisation {
                    weights: vec![1, 1],
                    imbalance: Imbalance::Range,
                    preferred_probability: Probability {
                        numerator: 1,
                        denominator: 3,
                    },
                },
                ..base.clone()
            },
            Design {
                method: Method::StratifiedBlocks {
                    block_multiples: vec![],
                },
                ..base.clone()
            },
            Design {
                method: Method::StratifiedBlocks {
                    block_multiples: vec![2, 2],
                },
                ..base.clone()
            },
            Design {
                method: Method::StratifiedBlocks {
                    block_multiples: vec![600],
                },
                ..base.clone()
            },
        ];
        for design in bad {
            assert!(design.validate().is_err(), "{design:?}");
        }
        for design in designs() {
            assert_eq!(design.validate(), Ok(()));
        }
    }

    #[test]
    fn stratum_must_name_the_design_factors_in_order() {
        let design = &designs()[0];
        assert!(
            design
                .check_stratum(&StratumKey::new([
                    ("municipality", "101"),
                    ("age_band", "18-24")
                ]))
                .is_ok()
        );
        assert!(
            design
                .check_stratum(&StratumKey::new([
                    ("age_band", "18-24"),
                    ("municipality", "101")
                ]))
                .is_err()
        );
        assert!(
            design
                .check_stratum(&StratumKey::new([("municipality", "101")]))
                .is_err()
        );
    }
}
