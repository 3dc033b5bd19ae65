//! gendan (跟单): the weekly order follow-up review of a foreign-trade
//! merchandising team.
//!
//! The data flows through four stages, one folder each:
//! [`read`] (workbooks → typed polars frames with provenance and V flags) →
//! [`reconcile`] (order-level frame, C and S flags) → [`measure`] (KPIs) →
//! [`report`] (workbooks, the check text and the run summary). [`app`]
//! dispatches the commands of [`cli`] to [`cmd`], one file per command,
//! which runs the stages; only `cmd` and `report` touch output files.

pub mod app;
pub mod cli;
pub mod cmd;
pub mod demo;
pub mod fields;
pub mod flags;
pub mod frame;
pub mod history;
pub mod i18n;
pub mod init;
pub mod log;
pub mod marked;
pub mod measure;
pub mod milestones;
pub mod period;
pub mod promise;
pub mod read;
pub mod reconcile;
pub mod report;
pub mod summary;
pub mod template;
