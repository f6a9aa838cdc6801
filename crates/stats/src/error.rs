use std::fmt;

/// Why an estimate cannot be computed. Rows are counted from 1 (the first data row).
#[derive(Clone, Debug, PartialEq)]
pub enum StatsError {
    /// Columns passed together differ in length.
    LengthMismatch {
        expected: usize,
        found: usize,
    },
    /// Fewer complete rows than the estimator needs.
    TooFewObservations {
        needed: usize,
        found: usize,
    },
    /// The treatment (or instrument) holds something other than 0 or 1.
    TreatmentNotBinary {
        row: usize,
        value: f64,
    },
    /// Every complete row is in the same arm.
    TreatmentConstant,
    /// A stratum (block) has units in only one arm.
    StratumWithOneArm {
        stratum: u32,
    },
    /// A block cannot give a variance (estimatr's rule: ≥ 2 units per arm unless all blocks are pairs).
    BlockTooSmall {
        block: u32,
    },
    /// The regressors are collinear (after absorbing strata).
    SingularDesign,
    /// A unit has leverage 1 so HC2/HC3 are undefined (e.g. a stratum holding a single unit).
    LeverageOne {
        row: usize,
    },
    InvalidArgument(String),
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsError::LengthMismatch { expected, found } => {
                write!(f, "columns differ in length ({expected} and {found} rows)")
            }
            StatsError::TooFewObservations { needed, found } => {
                write!(f, "too few complete rows: {found}, need at least {needed}")
            }
            StatsError::TreatmentNotBinary { row, value } => {
                write!(f, "treatment must be 0 or 1, found {value} in row {row}")
            }
            StatsError::TreatmentConstant => {
                write!(
                    f,
                    "treatment is constant: all complete rows are in the same arm"
                )
            }
            StatsError::StratumWithOneArm { stratum } => {
                write!(f, "stratum {stratum} has units in only one arm")
            }
            StatsError::BlockTooSmall { block } => write!(
                f,
                "block {block} has a single unit in an arm; estimatr needs at least two treated and two \
                 control units per block unless every block is a pair"
            ),
            StatsError::SingularDesign => {
                write!(
                    f,
                    "singular design: the regressors are collinear once strata are absorbed"
                )
            }
            StatsError::LeverageOne { row } => write!(
                f,
                "row {row} has leverage 1 (a stratum with a single unit?): HC2/HC3 are undefined; \
                 use hc0/hc1 or merge strata"
            ),
            StatsError::InvalidArgument(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StatsError {}
