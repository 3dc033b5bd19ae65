//! The command line (spec section 1), as raw values. Validation into the
//! objects the program uses happens once, in [`crate::app`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gendan",
    version,
    about = "跟单 — weekly order follow-up review: reads the order, shipment and feedback workbooks, flags what is late, stale or inconsistent, and writes the KPI and feedback reports."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read, reconcile and write the KPI and feedback workbooks.
    Run(RunArgs),
    /// Read, validate and reconcile; print the flags; write nothing.
    Check(CheckArgs),
    /// Print the default template with a comment on every key.
    Template {
        /// Language of the comments: zh (default) or en.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Write realistic synthetic orders.xlsx, shipments.xlsx, feedback.xlsx.
    DemoData(DemoArgs),
    /// List past runs and their headline KPIs.
    History {
        /// Template whose history to list (its [history] path or out_dir).
        #[arg(long)]
        template: Option<PathBuf>,
        /// Output folder holding gendan-history.sqlite (replaces out_dir).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a template fitted to the team's own workbooks.
    Init(InitArgs),
    /// Write an order confirmation for each pending order (or each --order).
    Confirm(ConfirmArgs),
    /// Write a statement of open orders and goods on the way for each
    /// customer with open orders (or each --customer).
    Statement(StatementArgs),
}

/// What `confirm` and `statement` share.
#[derive(Debug, Clone, Args)]
pub struct DocumentArgs {
    #[command(flatten)]
    pub job: WriteArgs,
    /// Language of the documents: en (default, or [company] lang) or zh.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Only errors on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ConfirmArgs {
    #[command(flatten)]
    pub doc: DocumentArgs,
    /// The order to confirm (repeatable); default: every pending order.
    #[arg(long = "order", value_name = "ID")]
    pub order_ids: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct StatementArgs {
    #[command(flatten)]
    pub doc: DocumentArgs,
    /// The customer (repeatable); default: every customer with open orders.
    #[arg(long = "customer", value_name = "NAME")]
    pub customer_names: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Workbooks to look at (each sheet is given to the table it fits).
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub paths: TablePaths,
    /// Start from this template (its inputs, sheets, aliases, ignore, words
    /// and settings) and write it again, completed: run init again after
    /// giving a column to its field.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Report language the template asks for (default: the language of
    /// the headers); also the language of the reasons quoted in comments.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Write the template to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite FILE when it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Never,
    Warning,
    Error,
}

/// `--orders`, `--shipments`, `--feedback`: files or globs per table.
#[derive(Debug, Clone, Args, Default)]
pub struct TablePaths {
    /// Orders workbook or glob; repeatable; replaces the template's paths.
    #[arg(long = "orders", value_name = "PATH")]
    pub orders: Vec<String>,
    /// Shipments workbook or glob; repeatable.
    #[arg(long = "shipments", value_name = "PATH")]
    pub shipments: Vec<String>,
    /// Feedback workbook or glob; repeatable.
    #[arg(long = "feedback", value_name = "PATH")]
    pub feedback: Vec<String>,
}

#[derive(Debug, Clone, Args, Default)]
pub struct InputArgs {
    /// Template file (TOML). Without one, inputs come from the options below.
    #[arg(long)]
    pub template: Option<PathBuf>,
    #[command(flatten)]
    pub paths: TablePaths,
    /// Last day of the period: YYYY-MM-DD (or 2026/11/27, 27 Nov 2026, …),
    /// today or yesterday.
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Print the run summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What the commands that write files (`run`, `confirm`, `statement`)
/// share: the inputs and the output folder.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder (replaces the template's out_dir).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub job: WriteArgs,
    /// Report language: zh or en (replaces the template's lang).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Exit 3 when flags at or above this severity exist.
    #[arg(long = "fail-on", value_enum, default_value = "never")]
    pub fail_on: FailOn,
    /// Only errors on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    /// Also write one workbook per merchandiser into out_dir/owners/<period>/ ([report] owner_workbooks).
    #[arg(long = "owner-workbooks")]
    pub owner_workbooks: bool,
    /// Also write a copy of each input with its flagged cells marked into out_dir/marked/<period>/ ([report] marked_copies).
    #[arg(long)]
    pub marked: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Language of messages: zh or en (replaces the template's lang).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Exit 3 when flags at or above this severity exist.
    #[arg(long = "fail-on", value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Only errors on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Folder to write the three workbooks into.
    pub dir: PathBuf,
    /// Order lines to make.
    #[arg(long, default_value_t = 300)]
    pub orders: usize,
    /// Random seed: the same seed gives the same workbooks.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Language of the headers and words: zh or en.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: LangArg,
    /// The date the data is "as of" (default today).
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Overwrite orders.xlsx, shipments.xlsx and feedback.xlsx when DIR
    /// already has them.
    #[arg(long)]
    pub force: bool,
}
