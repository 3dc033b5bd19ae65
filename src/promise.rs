//! The promise history of spec section 14 as shared vocabulary: what a run
//! saw of each order's due date and each shipped, undelivered shipment's
//! ETA ([`Seen`], saved by the history), and what the recorded runs before
//! this one saw ([`Past`], read from the history by the command and handed
//! to reconcile; stages never open the history themselves).

use std::collections::HashMap;

use chrono::NaiveDate;

/// What this run saw, for the history to record.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Each order's due date, by order key.
    pub due_dates: Vec<(String, NaiveDate)>,
    /// Each shipped, undelivered shipment's ETA, by its order key and its
    /// own identity (as flags are fingerprinted).
    pub etas: Vec<(String, String, NaiveDate)>,
}

/// One order's due date, or one shipment's ETA, over the recorded runs
/// before this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The value in the earliest recorded run that had one.
    pub first: NaiveDate,
    /// The value of the latest recorded run that had one.
    pub last: NaiveDate,
    /// The value the previous recorded run saw (`None` when that run did
    /// not see the order or shipment).
    pub previous: Option<NaiveDate>,
    /// How often the value changed over the recorded runs.
    pub changes: u32,
}

/// What the recorded runs before this one saw.
#[derive(Debug, Clone, Default)]
pub struct Past {
    /// Whether the previous recorded run recorded due dates (not when it
    /// was saved before schema 3, nor when there is none): without it the
    /// changes since the previous run are unknown (null).
    pub recorded: bool,
    /// By order key.
    pub due_dates: HashMap<String, Recorded>,
    /// By order key and shipment identity.
    pub etas: HashMap<(String, String), Recorded>,
}
