//! Run history in SQLite (spec section 8): each run's KPIs and flags, keyed
//! by period and replaced on re-run. It gives the reports their previous
//! period and each flag its first-seen date and age. From schema 3 it also
//! keeps each run's order due dates and shipment ETAs (spec section 14),
//! one row per value with the first and the last run that saw it, so an
//! unchanged value adds nothing.
//!
//! A history file that is missing is created; one that is locked is waited
//! on briefly; one that is not SQLite or has another schema is reported and
//! never touched. In every such case the run goes on without history.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::flags::{Flag, PastFlag};
use crate::measure::Kpis;
use crate::period::Period;
use crate::promise::{Past, Recorded as Promised, Seen};

/// The schema this build writes. Older files are read as they are and
/// migrated forward inside the first save's transaction, so `check` (which
/// saves nothing) never changes a history file.
///
/// Version 2 keeps each flag's message (for the Resolved sheet) and which
/// fingerprint it was recorded with (`fp_version`: 1 before row identity).
/// Version 3 keeps the due dates and ETAs (`due_dates`, `etas`, each row a
/// value with the period ends of the first and last run that saw it) and
/// marks the runs that recorded them (`runs.promises`).
/// Version 4 keeps each flag once for the runs it stayed open
/// (`flag_spans`, one row per flag and unbroken stretch of runs, with the
/// period ends of its first and last run, as the due dates): a flag still
/// open in the next run extends its row instead of adding one.
pub const SCHEMA_VERSION: i64 = 5;

/// The columns of a recorded flag that say which rule and where, the same
/// in the flags table of schema 1 and in `flag_spans` since schema 4.
const FLAG_PLACE: &str = "rule TEXT NOT NULL,
                 severity TEXT NOT NULL,
                 table_name TEXT NOT NULL,
                 order_id TEXT,
                 owner TEXT,
                 file TEXT NOT NULL,
                 sheet TEXT NOT NULL,
                 cell TEXT NOT NULL";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history {path} is busy (another program holds it) — going on without history")]
    Locked { path: String },
    #[error("history {path} is not a gendan history file ({detail}) — left untouched; move it away or set [history] path to start a new one")]
    Corrupt { path: String, detail: String },
    #[error("history {path} was written by a newer gendan (schema {found}, this build knows {known}) — left untouched")]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("history {path}: {detail}")]
    Other { path: String, detail: String },
}

pub struct History {
    conn: Connection,
    pub path: PathBuf,
    /// The schema of the file as it is on disk.
    version: i64,
}

/// A past run as `gendan history` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PastRun {
    pub period: String,
    pub as_of: String,
    pub template: Option<String>,
    pub kpis: serde_json::Value,
    pub flags_error: i64,
    pub flags_warning: i64,
    pub flags_info: i64,
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl HistoryError {
    /// The message in the run's language (`Display` is English, for logs
    /// and errors that leave the program).
    pub fn say(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::fill;
        match self {
            HistoryError::Locked { path } => fill(lang, "history.locked", &[("path", path)]),
            HistoryError::Corrupt { path, detail } => fill(
                lang,
                "history.corrupt",
                &[("path", path), ("detail", detail)],
            ),
            HistoryError::Newer { path, found, known } => fill(
                lang,
                "history.newer",
                &[
                    ("path", path),
                    ("found", &found.to_string()),
                    ("known", &known.to_string()),
                ],
            ),
            HistoryError::Other { path, detail } => {
                fill(lang, "history.other", &[("path", path), ("detail", detail)])
            }
        }
    }
}

impl History {
    /// Opens (or creates) the history at `path`.
    ///
    /// # Errors
    /// Locked, corrupt, foreign or newer files; see [`HistoryError`].
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let shown = path.display().to_string();
        let other = |e: rusqlite::Error| {
            if is_busy(&e) {
                HistoryError::Locked {
                    path: shown.clone(),
                }
            } else {
                HistoryError::Other {
                    path: shown.clone(),
                    detail: e.to_string(),
                }
            }
        };
        let existed = path.exists();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(other)?;
        conn.busy_timeout(Duration::from_secs(3)).map_err(other)?;
        // Reading the table list is the first real read: it fails on a file
        // that is not SQLite, and waits on a locked one.
        let tables: Vec<String> = match conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        {
            Ok(t) => t,
            Err(e) if is_busy(&e) => return Err(HistoryError::Locked { path: shown }),
            Err(e) => {
                return Err(HistoryError::Corrupt {
                    path: shown,
                    detail: e.to_string(),
                })
            }
        };
        // A run saves hundreds of thousands of rows into indexed tables:
        // a 64 MiB page cache keeps the indexes' pages in memory while it
        // does (the default is 2 MiB). Only this connection's setting; the
        // file is not changed.
        conn.pragma_update(None, "cache_size", -65536)
            .map_err(other)?;
        let mut h = History {
            conn,
            path: path.to_path_buf(),
            version: SCHEMA_VERSION,
        };
        if tables.is_empty() {
            h.create().map_err(other)?;
            return Ok(h);
        }
        if !tables.iter().any(|t| t == "gendan_meta") {
            return Err(HistoryError::Corrupt {
                path: shown,
                detail: if existed {
                    format!("its tables are {}", tables.join(", "))
                } else {
                    "unexpected tables".into()
                },
            });
        }
        let version: i64 = h
            .conn
            .query_row(
                "SELECT value FROM gendan_meta WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(other)?
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| HistoryError::Corrupt {
                path: shown.clone(),
                detail: "no schema version".into(),
            })?;
        if version > SCHEMA_VERSION {
            return Err(HistoryError::Newer {
                path: shown,
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        h.version = version;
        Ok(h)
    }

    fn create(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch(&format!(
            "BEGIN;
             CREATE TABLE gendan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE runs (
                 period TEXT PRIMARY KEY,
                 period_start TEXT NOT NULL,
                 period_end TEXT NOT NULL,
                 as_of TEXT NOT NULL,
                 template TEXT,
                 input_hashes TEXT NOT NULL,
                 kpis TEXT NOT NULL,
                 flags_error INTEGER NOT NULL,
                 flags_warning INTEGER NOT NULL,
                 flags_info INTEGER NOT NULL
             );
             CREATE TABLE flags (
                 period TEXT NOT NULL REFERENCES runs(period) ON DELETE CASCADE,
                 fingerprint TEXT NOT NULL,
                 {FLAG_PLACE},
                 first_seen TEXT NOT NULL,
                 runs_open INTEGER NOT NULL,
                 PRIMARY KEY (period, fingerprint)
             );
             INSERT INTO gendan_meta (key, value) VALUES ('schema_version', '1');"
        ))?;
        Self::migrate(&self.conn, 1)?;
        self.conn.execute_batch("COMMIT;")
    }

    /// Migrates a schema forward, one version at a time, inside the
    /// caller's transaction.
    fn migrate(conn: &Connection, from: i64) -> rusqlite::Result<()> {
        if from < 2 {
            conn.execute_batch(
                "ALTER TABLE flags ADD COLUMN message TEXT;
                 ALTER TABLE flags ADD COLUMN fp_version INTEGER NOT NULL DEFAULT 1;
                 UPDATE gendan_meta SET value = '2' WHERE key = 'schema_version';",
            )?;
        }
        if from < 3 {
            conn.execute_batch(
                "ALTER TABLE runs ADD COLUMN promises INTEGER NOT NULL DEFAULT 0;
                 CREATE TABLE due_dates (
                     order_key TEXT NOT NULL,
                     due_date TEXT NOT NULL,
                     first_run TEXT NOT NULL,
                     last_run TEXT NOT NULL
                 );
                 CREATE INDEX due_dates_key ON due_dates (order_key, first_run);
                 CREATE TABLE etas (
                     order_key TEXT NOT NULL,
                     ship_id TEXT NOT NULL,
                     eta TEXT NOT NULL,
                     first_run TEXT NOT NULL,
                     last_run TEXT NOT NULL
                 );
                 CREATE INDEX etas_key ON etas (order_key, ship_id, first_run);
                 UPDATE gendan_meta SET value = '3' WHERE key = 'schema_version';",
            )?;
        }
        if from < 4 {
            // Each recorded flag becomes a stretch of its one run; the
            // next save extends the latest run's.
            conn.execute_batch(&format!(
                "CREATE TABLE flag_spans (
                     fingerprint TEXT NOT NULL,
                     fp_version INTEGER NOT NULL,
                     {FLAG_PLACE},
                     message TEXT,
                     first_seen TEXT NOT NULL,
                     runs_open INTEGER NOT NULL,
                     first_run TEXT NOT NULL,
                     last_run TEXT NOT NULL
                 );
                 INSERT INTO flag_spans
                     SELECT f.fingerprint, f.fp_version, f.rule, f.severity, f.table_name, f.order_id,
                            f.owner, f.file, f.sheet, f.cell, f.message, f.first_seen, f.runs_open,
                            r.period_end, r.period_end
                     FROM flags f JOIN runs r ON r.period = f.period ORDER BY r.period_end, f.rowid;
                 DROP TABLE flags;
                 UPDATE gendan_meta SET value = '4' WHERE key = 'schema_version';"
            ))?;
        }
        if from < 5 {
            // A row keeps the runs its flag was open before its first run
            // (a constant) instead of the count at its last run: extending
            // a row to the next run then rewrites it at the same size, where
            // the count's 1 → 2 made every still-open row a byte longer
            // and split the pages of the week after a first run.
            conn.execute_batch(
                "UPDATE flag_spans SET runs_open = MAX(runs_open - (SELECT COUNT(*) FROM runs r
                     WHERE r.period_end >= flag_spans.first_run AND r.period_end <= flag_spans.last_run), 0);
                 ALTER TABLE flag_spans RENAME COLUMN runs_open TO runs_before;
                 UPDATE gendan_meta SET value = '5' WHERE key = 'schema_version';",
            )?;
        }
        Ok(())
    }

    /// The latest run of a period that ended before `period` started.
    pub fn previous(&self, period: &Period) -> rusqlite::Result<Option<(String, Kpis)>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT period, kpis FROM runs WHERE period_end < ?1 ORDER BY period_end DESC LIMIT 1",
                params![period.start.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(p, k)| serde_json::from_str(&k).ok().map(|k| (p, k))))
    }

    /// The flags a recorded run had, with the fingerprint each was
    /// recorded with. From schema 4 a flag's row spans the runs it stayed
    /// open and holds what its last run said; its runs_open at this run is
    /// (schema 5) the runs it was open before the row's first run plus the
    /// row's runs up to this one, or (schema 4) the count at the row's last
    /// run less the runs after this one.
    pub fn flags_of(&self, period: &str) -> rusqlite::Result<Vec<Recorded>> {
        if self.version < 4 {
            return self.flags_of_v3(period);
        }
        let Some(end) = self
            .conn
            .query_row(
                "SELECT period_end FROM runs WHERE period = ?1",
                params![period],
                |r| r.get::<_, String>(0),
            )
            .optional()?
        else {
            return Ok(Vec::new());
        };
        let ends = self.run_ends()?;
        let v5 = self.version >= 5;
        let mut st = self.conn.prepare(&format!(
            "SELECT fingerprint, fp_version, rule, severity, table_name, message, order_id, owner, file, sheet, cell, first_seen, {}, first_run, last_run
             FROM flag_spans WHERE first_run <= ?1 AND last_run >= ?1 ORDER BY rowid",
            if v5 { "runs_before" } else { "runs_open" }
        ))?;
        let rows = st.query_map(params![end], |r| {
            let (count, first, last): (i64, String, String) = (r.get(12)?, r.get(13)?, r.get(14)?);
            let runs_open = if v5 {
                count + runs_from(&ends, &first, &end)
            } else {
                count - runs_between(&ends, &end, &last)
            };
            recorded(r, runs_open.max(1))
        })?;
        rows.collect()
    }

    /// Every recorded run's period end, in order.
    fn run_ends(&self) -> rusqlite::Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT period_end FROM runs ORDER BY period_end")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect()
    }

    /// [`History::flags_of`] in a file before schema 4 (one row per run
    /// and flag).
    fn flags_of_v3(&self, period: &str) -> rusqlite::Result<Vec<Recorded>> {
        let (message, fp) = if self.version >= 2 {
            ("message", "fp_version")
        } else {
            ("NULL", "1")
        };
        let mut st = self.conn.prepare(&format!(
            "SELECT fingerprint, {fp}, rule, severity, table_name, {message}, order_id, owner, file, sheet, cell, first_seen, runs_open
             FROM flags WHERE period = ?1 ORDER BY rowid"
        ))?;
        let rows = st.query_map(params![period], |r| {
            recorded(r, r.get::<_, i64>(12)?.max(0))
        })?;
        rows.collect()
    }

    /// What the recorded runs before `period` saw of the due dates and
    /// ETAs (spec section 14): per order and shipment the first recorded
    /// value, the previous run's and the number of changes. Empty before
    /// schema 3 and without a previous run; `recorded` says whether the
    /// previous run kept due dates.
    pub fn past(&self, period: &Period) -> rusqlite::Result<Past> {
        if self.version < 3 {
            return Ok(Past::default());
        }
        let start = period.start.to_string();
        let prev: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT period_end, promises FROM runs WHERE period_end < ?1 ORDER BY period_end DESC LIMIT 1",
                params![start],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((prev_end, recorded)) = prev else {
            return Ok(Past::default());
        };
        let mut past = Past {
            recorded: recorded != 0,
            ..Default::default()
        };
        let mut st = self.conn.prepare(
            "SELECT order_key, due_date, first_run, last_run FROM due_dates
             WHERE first_run < ?1 ORDER BY order_key, first_run",
        )?;
        let mut rows = st.query(params![start])?;
        while let Some(r) = rows.next()? {
            let (first, last): (String, String) = (r.get(2)?, r.get(3)?);
            if let Some(d) = day(&r.get::<_, String>(1)?) {
                fold(&mut past.due_dates, r.get(0)?, d, &first, &last, &prev_end);
            }
        }
        let mut st = self.conn.prepare(
            "SELECT order_key, ship_id, eta, first_run, last_run FROM etas
             WHERE first_run < ?1 ORDER BY order_key, ship_id, first_run",
        )?;
        let mut rows = st.query(params![start])?;
        while let Some(r) = rows.next()? {
            let (first, last): (String, String) = (r.get(3)?, r.get(4)?);
            if let Some(d) = day(&r.get::<_, String>(2)?) {
                let key = (r.get(0)?, r.get(1)?);
                fold(&mut past.etas, key, d, &first, &last, &prev_end);
            }
        }
        Ok(past)
    }

    /// Records this run's due dates and ETAs (schema 3): a value the
    /// latest row of its order or shipment that began by this run already
    /// has is that row's, seen until this run; any other value is a new
    /// row. A re-run first takes back what the run it replaces alone
    /// recorded: rows seen only by it go, rows it extended end at the run
    /// before it again. When later runs exist (an earlier week run again),
    /// each value is fitted among the rows around it instead, so that the
    /// rows of an order never overlap: see [`fit_between`].
    fn save_seen(tx: &Connection, period: &Period, seen: &Seen) -> rusqlite::Result<()> {
        let (start, end) = (period.start.to_string(), period.end.to_string());
        let prev: Option<String> = tx.query_row(
            "SELECT MAX(period_end) FROM runs WHERE period_end < ?1",
            params![start],
            |r| r.get(0),
        )?;
        let later: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM runs WHERE period_end > ?1)",
            params![end],
            |r| r.get(0),
        )?;
        for t in ["due_dates", "etas"] {
            tx.execute(
                &format!("DELETE FROM {t} WHERE first_run = ?1 AND last_run = ?1"),
                params![end],
            )?;
            tx.execute(
                &format!("UPDATE {t} SET last_run = COALESCE(?2, first_run) WHERE last_run = ?1 AND first_run < ?1"),
                params![end, prev],
            )?;
        }
        // Nothing recorded before or after this run: every value is a new
        // row (the first run of a history).
        if prev.is_none() && !later {
            let mut insert = tx.prepare(
                "INSERT INTO due_dates (order_key, due_date, first_run, last_run) VALUES (?1, ?2, ?3, ?3)",
            )?;
            for (key, due) in &seen.due_dates {
                insert.execute(params![key, due.to_string(), end])?;
            }
            let mut insert = tx.prepare(
                "INSERT INTO etas (order_key, ship_id, eta, first_run, last_run) VALUES (?1, ?2, ?3, ?4, ?4)",
            )?;
            for (key, id, eta) in &seen.etas {
                insert.execute(params![key, id, eta.to_string(), end])?;
            }
            return Ok(());
        }
        if later {
            let next: String = tx.query_row(
                "SELECT MIN(period_end) FROM runs WHERE period_end > ?1",
                params![end],
                |r| r.get(0),
            )?;
            let around = Around {
                end: &end,
                prev: prev.as_deref(),
                next: &next,
            };
            for (key, due) in &seen.due_dates {
                fit_between(tx, &DUE_DATES, &[key], &due.to_string(), &around)?;
            }
            for (key, id, eta) in &seen.etas {
                fit_between(tx, &ETAS, &[key, id], &eta.to_string(), &around)?;
            }
            return Ok(());
        }
        {
            let mut extend = tx.prepare(
                "UPDATE due_dates SET last_run = MAX(last_run, ?1) WHERE rowid = (
                     SELECT rowid FROM due_dates WHERE order_key = ?2 AND first_run <= ?1
                     ORDER BY first_run DESC LIMIT 1) AND due_date = ?3",
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO due_dates (order_key, due_date, first_run, last_run) VALUES (?1, ?2, ?3, ?3)",
            )?;
            for (key, due) in &seen.due_dates {
                let due = due.to_string();
                if extend.execute(params![end, key, due])? == 0 {
                    insert.execute(params![key, due, end])?;
                }
            }
        }
        let mut extend = tx.prepare(
            "UPDATE etas SET last_run = MAX(last_run, ?1) WHERE rowid = (
                 SELECT rowid FROM etas WHERE order_key = ?2 AND ship_id = ?3 AND first_run <= ?1
                 ORDER BY first_run DESC LIMIT 1) AND eta = ?4",
        )?;
        let mut insert = tx.prepare(
            "INSERT INTO etas (order_key, ship_id, eta, first_run, last_run) VALUES (?1, ?2, ?3, ?4, ?4)",
        )?;
        for (key, id, eta) in &seen.etas {
            let eta = eta.to_string();
            if extend.execute(params![end, key, id, eta])? == 0 {
                insert.execute(params![key, id, eta, end])?;
            }
        }
        Ok(())
    }

    /// Records this run's flags (schema 4): a flag the run before had
    /// extends that flag's row to this run; any other is a new row. A
    /// re-run first takes back what the run it replaces recorded (rows of
    /// that run alone go, rows ending or starting at it end at the run
    /// before or start at the run after, a row across it is split), then
    /// records again, joining the rows on either side when the flag is
    /// still there. A row keeps what its last run said of the flag.
    fn save_flags(
        tx: &Connection,
        period: &Period,
        as_of: &str,
        flags: &[Flag],
    ) -> rusqlite::Result<()> {
        let end = period.end.to_string();
        let near = |sql: &str| -> rusqlite::Result<Option<String>> {
            tx.query_row(sql, params![end], |r| r.get(0))
        };
        let prev = near("SELECT MAX(period_end) FROM runs WHERE period_end < ?1")?;
        let next = near("SELECT MIN(period_end) FROM runs WHERE period_end > ?1")?;
        // Take back the replaced run.
        tx.execute(
            "DELETE FROM flag_spans WHERE first_run = ?1 AND last_run = ?1",
            params![end],
        )?;
        tx.execute(
            "UPDATE flag_spans SET last_run = COALESCE(?2, first_run)
             WHERE last_run = ?1 AND first_run < ?1",
            params![end, prev],
        )?;
        if let Some(next) = &next {
            // What stays open after the taken-back run starts again at
            // the next run: seen since it, open for the runs since.
            let next_as_of: String = tx.query_row(
                "SELECT as_of FROM runs WHERE period_end = ?1",
                params![next],
                |r| r.get(0),
            )?;
            if let Some(prev) = &prev {
                tx.execute(
                    "INSERT INTO flag_spans
                         SELECT fingerprint, fp_version, rule, severity, table_name, order_id, owner, file, sheet,
                                cell, message, first_seen, runs_before, first_run, ?2
                         FROM flag_spans WHERE first_run < ?1 AND last_run > ?1",
                    params![end, prev],
                )?;
            }
            tx.execute(
                "UPDATE flag_spans SET first_run = ?2, first_seen = ?3, runs_before = 0
                 WHERE first_run <= ?1 AND last_run > ?1",
                params![end, next, next_as_of],
            )?;
        }
        // The rows this run can join: ending at the run before, starting
        // at the run after (by fingerprint, and by the legacy fingerprint
        // for rows recorded before row identity).
        let rows_at = |col: &str, at: &Option<String>| -> rusqlite::Result<Joinable> {
            let mut j = Joinable::default();
            let Some(at) = at else { return Ok(j) };
            let mut st = tx.prepare(&format!(
                "SELECT rowid, fingerprint, fp_version FROM flag_spans WHERE {col} = ?1"
            ))?;
            let mut rows = st.query(params![at])?;
            while let Some(r) = rows.next()? {
                let (id, fp, v): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
                let map = if v < 2 { &mut j.legacy } else { &mut j.current };
                map.entry(fp).or_insert(id);
            }
            Ok(j)
        };
        let (before, after) = (rows_at("last_run", &prev)?, rows_at("first_run", &next)?);
        // One row per fingerprint: the last flag with it wins (as the
        // primary key of schema 3 had it).
        let fps: Vec<String> = flags.iter().map(Flag::fingerprint).collect();
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(flags.len());
        for (i, fp) in fps.iter().enumerate() {
            last.insert(fp, i);
        }
        let mut write = tx.prepare(
            "UPDATE flag_spans SET fingerprint = ?2, fp_version = 2, rule = ?3, severity = ?4, table_name = ?5,
                 order_id = ?6, owner = ?7, file = ?8, sheet = ?9, cell = ?10, message = ?11, first_seen = ?12,
                 last_run = ?14
             WHERE rowid = ?1",
        )?;
        // The same parameters as `write` (?1, the row, unused; ?13, the
        // runs before the row, unused by `write`: an extended row keeps its).
        let mut insert = tx.prepare(
            "INSERT INTO flag_spans (fingerprint, fp_version, rule, severity, table_name, order_id, owner, file, sheet,
                 cell, message, first_seen, runs_before, first_run, last_run)
             VALUES (?2, 2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        )?;
        let mut start_at = tx.prepare(
            "UPDATE flag_spans SET first_run = ?2, first_seen = ?3, runs_before = ?4 WHERE rowid = ?1",
        )?;
        let mut join = tx.prepare(
            "UPDATE flag_spans SET
                 first_run = (SELECT first_run FROM flag_spans WHERE rowid = ?2),
                 first_seen = (SELECT first_seen FROM flag_spans WHERE rowid = ?2),
                 runs_before = (SELECT runs_before FROM flag_spans WHERE rowid = ?2)
             WHERE rowid = ?1",
        )?;
        let mut drop = tx.prepare("DELETE FROM flag_spans WHERE rowid = ?1")?;
        for (i, (f, fp)) in flags.iter().zip(&fps).enumerate() {
            if last.get(fp.as_str()) != Some(&i) {
                continue;
            }
            let (b, a) = (before.find(f, fp), after.find(f, fp));
            let first_seen = f.first_seen.as_deref().unwrap_or(as_of);
            // The runs it was open before this one.
            let before_this = (f.runs_open.unwrap_or(1) as i64 - 1).max(0);
            match (b, a) {
                // Open before and after: the row after reaches back.
                (Some(b), Some(a)) => {
                    join.execute(params![a, b])?;
                    drop.execute(params![b])?;
                }
                (None, Some(a)) => {
                    start_at.execute(params![a, end, first_seen, before_this])?;
                }
                (b, None) => {
                    let values = params![
                        b.unwrap_or(0),
                        fp,
                        f.rule.as_str(),
                        f.severity.as_str(),
                        f.table.as_str(),
                        f.order_id,
                        f.owner,
                        f.file,
                        f.sheet,
                        f.cell,
                        f.message,
                        first_seen,
                        before_this,
                        end
                    ];
                    let st = if b.is_some() { &mut write } else { &mut insert };
                    st.execute(values)?;
                }
            }
        }
        Ok(())
    }

    /// Saves this run, replacing an earlier run of the same period, and
    /// commits when `commit_if` (called after the inserts) says so.
    #[allow(clippy::too_many_arguments)]
    pub fn save(
        &mut self,
        period: &Period,
        as_of: &str,
        template: Option<&str>,
        input_hashes: &[(String, String)],
        kpis: &Kpis,
        flags: &[Flag],
        seen: &Seen,
        commit_if: impl FnOnce() -> bool,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        Self::migrate(&tx, self.version)?;
        tx.execute("DELETE FROM runs WHERE period = ?1", params![period.label])?;
        Self::save_seen(&tx, period, seen)?;
        Self::save_flags(&tx, period, as_of, flags)?;
        let hashes = serde_json::to_string(input_hashes).unwrap_or_default();
        let kpi_json = serde_json::to_string(kpis).unwrap_or_default();
        tx.execute(
            "INSERT INTO runs (period, period_start, period_end, as_of, template, input_hashes, kpis, flags_error, flags_warning, flags_info, promises)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
            params![
                period.label,
                period.start.to_string(),
                period.end.to_string(),
                as_of,
                template,
                hashes,
                kpi_json,
                kpis.flags_error as i64,
                kpis.flags_warning as i64,
                kpis.flags_info as i64
            ],
        )?;
        // Not committed (rolled back on drop) when the reports were not
        // written: the history holds only runs whose reports exist.
        if commit_if() {
            tx.commit()?;
            self.version = SCHEMA_VERSION;
        }
        Ok(())
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> rusqlite::Result<Vec<PastRun>> {
        let mut st = self.conn.prepare(
            "SELECT period, as_of, template, kpis, flags_error, flags_warning, flags_info FROM runs ORDER BY period_end",
        )?;
        let rows = st.query_map([], |r| {
            Ok(PastRun {
                period: r.get(0)?,
                as_of: r.get(1)?,
                template: r.get(2)?,
                kpis: serde_json::from_str(&r.get::<_, String>(3)?)
                    .unwrap_or(serde_json::Value::Null),
                flags_error: r.get(4)?,
                flags_warning: r.get(5)?,
                flags_info: r.get(6)?,
            })
        })?;
        rows.collect()
    }
}

/// A table of recorded values (schema 3): its name, key columns and
/// value column.
struct Spans {
    table: &'static str,
    keys: &'static [&'static str],
    value: &'static str,
}

const DUE_DATES: Spans = Spans {
    table: "due_dates",
    keys: &["order_key"],
    value: "due_date",
};

const ETAS: Spans = Spans {
    table: "etas",
    keys: &["order_key", "ship_id"],
    value: "eta",
};

/// The run being recorded among the recorded runs: its period end, and
/// the ends of the runs just before and after it.
struct Around<'a> {
    end: &'a str,
    prev: Option<&'a str>,
    next: &'a str,
}

/// Records one value of a run that has later runs (an earlier week run
/// again): a row already covering the run keeps it when the value is the
/// same and is split around the run when it is not; otherwise the value
/// extends the row before it or starts the row after it early when either
/// has the same value (joining both when both do), or is a row of its own.
fn fit_between(
    tx: &Connection,
    t: &Spans,
    key: &[&String],
    value: &str,
    at: &Around,
) -> rusqlite::Result<()> {
    let (table, v) = (t.table, t.value);
    let kp: Vec<String> = t
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ?{}", i + 2))
        .collect();
    let kp = kp.join(" AND ");
    let row = |cond: &str,
               order: &str|
     -> rusqlite::Result<Option<(i64, String, String, String)>> {
        let sql = format!(
            "SELECT rowid, {v}, first_run, last_run FROM {table} WHERE {kp} AND {cond} {order} LIMIT 1"
        );
        let mut p: Vec<&dyn rusqlite::ToSql> = vec![&at.end];
        p.extend(key.iter().map(|k| *k as &dyn rusqlite::ToSql));
        tx.query_row(&sql, p.as_slice(), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
    };
    let cols = t.keys.join(", ");
    let insert = |first: &str, last: &str, val: &str| -> rusqlite::Result<usize> {
        let marks: Vec<String> = (0..t.keys.len()).map(|i| format!("?{}", i + 4)).collect();
        let sql = format!(
            "INSERT INTO {table} ({cols}, {v}, first_run, last_run) VALUES ({}, ?1, ?2, ?3)",
            marks.join(", ")
        );
        let mut p: Vec<&dyn rusqlite::ToSql> = vec![&val, &first, &last];
        p.extend(key.iter().map(|k| *k as &dyn rusqlite::ToSql));
        tx.execute(&sql, p.as_slice())
    };
    let set = |id: i64, col: &str, to: &str| {
        tx.execute(
            &format!("UPDATE {table} SET {col} = ?2 WHERE rowid = ?1"),
            params![id, to],
        )
    };
    if let Some((id, was, first, last)) = row("first_run <= ?1 AND last_run >= ?1", "")? {
        if was == value {
            return Ok(());
        }
        // Split: what it said before this run, this run's value, what it
        // said after.
        match at.prev.filter(|p| first.as_str() <= *p) {
            Some(p) => set(id, "last_run", p)?,
            None => tx.execute(
                &format!("DELETE FROM {table} WHERE rowid = ?1"),
                params![id],
            )?,
        };
        if last.as_str() > at.end {
            insert(at.next, &last, &was)?;
        }
        insert(at.end, at.end, value)?;
        return Ok(());
    }
    let before = row("first_run < ?1", "ORDER BY first_run DESC")?;
    let after = row("first_run > ?1", "ORDER BY first_run")?;
    match (before, after) {
        (Some(b), Some(a)) if b.1 == value && a.1 == value => {
            set(b.0, "last_run", &a.3)?;
            tx.execute(
                &format!("DELETE FROM {table} WHERE rowid = ?1"),
                params![a.0],
            )?;
        }
        (Some(b), _) if b.1 == value => {
            set(b.0, "last_run", at.end)?;
        }
        (_, Some(a)) if a.1 == value => {
            set(a.0, "first_run", at.end)?;
        }
        _ => {
            insert(at.end, at.end, value)?;
        }
    }
    Ok(())
}

/// A recorded flag from a row whose first twelve columns are
/// fingerprint, fingerprint version, rule, severity, table, message,
/// order, owner, file, sheet, cell and first seen.
fn recorded(r: &rusqlite::Row, runs_open: i64) -> rusqlite::Result<Recorded> {
    Ok(Recorded {
        fingerprint: r.get(0)?,
        legacy: r.get::<_, i64>(1)? < 2,
        flag: PastFlag {
            rule: r.get(2)?,
            severity: r.get(3)?,
            table: r.get(4)?,
            message: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            order_id: r.get(6)?,
            owner: r.get(7)?,
            file: r.get(8)?,
            sheet: r.get(9)?,
            cell: r.get(10)?,
            first_seen: r.get(11)?,
            runs_open: runs_open.clamp(0, u32::MAX as i64) as u32,
        },
    })
}

/// The flag rows a run can join, by fingerprint.
#[derive(Default)]
struct Joinable {
    current: HashMap<String, i64>,
    legacy: HashMap<String, i64>,
}

impl Joinable {
    fn find(&self, f: &Flag, fp: &str) -> Option<i64> {
        self.current.get(fp).copied().or_else(|| {
            if self.legacy.is_empty() {
                None
            } else {
                self.legacy.get(&f.legacy_fingerprint()).copied()
            }
        })
    }
}

/// How many of the recorded runs (`ends`, in order) ended after `from`
/// and by `to`.
fn runs_between(ends: &[String], from: &str, to: &str) -> i64 {
    let lo = ends.partition_point(|e| e.as_str() <= from);
    let hi = ends.partition_point(|e| e.as_str() <= to);
    hi.saturating_sub(lo) as i64
}

/// The recorded runs from `from` to `to`, both included.
fn runs_from(ends: &[String], from: &str, to: &str) -> i64 {
    let lo = ends.partition_point(|e| e.as_str() < from);
    let hi = ends.partition_point(|e| e.as_str() <= to);
    hi.saturating_sub(lo) as i64
}

/// A date as the history writes it.
fn day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Adds one recorded row (read in order of its first run) to its order's
/// or shipment's [`Promised`]: the first row gives the first value, each
/// later one is a change, and the row that spans the previous run
/// (`prev_end`) gives the previous value.
fn fold<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Promised>,
    key: K,
    value: chrono::NaiveDate,
    first: &str,
    last: &str,
    prev_end: &str,
) {
    let in_prev = first <= prev_end && prev_end <= last;
    match map.entry(key) {
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(Promised {
                first: value,
                last: value,
                previous: in_prev.then_some(value),
                changes: 0,
            });
        }
        std::collections::hash_map::Entry::Occupied(mut e) => {
            let p = e.get_mut();
            p.changes += 1;
            p.last = value;
            if in_prev {
                p.previous = Some(value);
            }
        }
    }
}

/// A flag of a recorded run, with the fingerprint it was recorded with.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub fingerprint: String,
    /// Recorded by a gendan before row identity (schema 1): compare with
    /// [`Flag::legacy_fingerprint`].
    pub legacy: bool,
    pub flag: PastFlag,
}

/// Compares this run's flags with the previous recorded run's (`None`
/// without one): gives each flag its `first_seen`, `runs_open` and whether
/// it is new, and returns the previous run's flags that are gone.
///
/// Without a previous run every flag is first seen on `as_of`, open for one
/// run, and `is_new` stays `None` (spec section 6: null without a previous
/// run).
pub fn compare(flags: &mut [Flag], previous: Option<&[Recorded]>, as_of: &str) -> Vec<PastFlag> {
    let Some(prev) = previous else {
        for f in flags.iter_mut() {
            f.first_seen = Some(as_of.to_string());
            f.runs_open = Some(1);
            f.is_new = None;
        }
        return Vec::new();
    };
    let mut current: HashMap<&str, usize> = HashMap::new();
    let mut legacy: HashMap<&str, usize> = HashMap::new();
    for (i, r) in prev.iter().enumerate() {
        let map = if r.legacy { &mut legacy } else { &mut current };
        map.entry(r.fingerprint.as_str()).or_insert(i);
    }
    let mut matched = vec![false; prev.len()];
    for f in flags.iter_mut() {
        let hit = current
            .get(f.fingerprint().as_str())
            .or_else(|| {
                if legacy.is_empty() {
                    None
                } else {
                    legacy.get(f.legacy_fingerprint().as_str())
                }
            })
            .copied();
        match hit {
            Some(i) => {
                matched[i] = true;
                let p = &prev[i].flag;
                f.first_seen = Some(p.first_seen.clone());
                f.runs_open = Some(p.runs_open + 1);
                f.is_new = Some(false);
            }
            None => {
                f.first_seen = Some(as_of.to_string());
                f.runs_open = Some(1);
                f.is_new = Some(true);
            }
        }
    }
    prev.iter()
        .zip(matched)
        .filter(|(_, m)| !m)
        .map(|(r, _)| r.flag.clone())
        .collect()
}
