//! Hostile and broken inputs (a first corpus): each input with its exact
//! outcome — exit code, the message naming the file, or the flags raised —
//! and never a panic.

mod util;

use calamine::Data;
use predicates::str::contains;
use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

fn no_panic(out: &std::process::Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "panic: {err}");
}

fn check(w: &Work, file: &str) -> Value {
    let out = w
        .gendan()
        .args([
            "check",
            "--orders",
            file,
            "--as-of",
            AS_OF,
            "--json",
            "--fail-on",
            "never",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A plain confirmed order line of one piece (due 2026-12-20, owner Li):
/// the background row most cases vary one cell of.
fn confirmed(id: &str, customer: &str) -> Vec<Cell> {
    order_row(
        id,
        customer,
        1.0,
        (2026, 11, 1),
        (2026, 12, 20),
        "confirmed",
        "Li",
    )
}

/// A committed fixture under tests/fixtures (see its README).
fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn orders_with(rows: Vec<Vec<Cell>>) -> Vec<Sheet> {
    let mut all = vec![header(&ORDER_HEADER_EN)];
    all.extend(rows);
    vec![Sheet::new("Orders", all)]
}

/// `check` on inputs that give nothing: exit 1, the message on stderr.
fn nothing_read(w: &Work, args: &[&str]) -> String {
    let out = w
        .gendan()
        .arg("check")
        .args(args)
        .args(["--as-of", AS_OF, "--lang", "en"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nothing was read for orders"), "{err}");
    err
}

#[test]
fn header_only_sheet_is_nothing_read() {
    // rev4: a register that reads no row is exit 1, not a quiet week.
    let w = Work::new();
    w.xlsx("o.xlsx", orders_with(vec![]));
    let err = nothing_read(&w, &["--orders", "o.xlsx"]);
    assert!(
        err.contains("o.xlsx › Orders: header found in row 1, but no data rows below it"),
        "{err}"
    );
}

#[test]
fn sixteen_thousand_columns() {
    let w = Work::new();
    let mut head = header(&ORDER_HEADER_EN);
    head.resize(16_383, Cell::Blank);
    head.push(s("last column")); // XFD1
    let mut row = confirmed("PO-1", "Acme");
    row.resize(16_383, Cell::Blank);
    row.push(s("far away"));
    w.xlsx("wide.xlsx", vec![Sheet::new("Wide", vec![head, row])]);
    let v = check(&w, "wide.xlsx");
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 1);
}

#[test]
fn long_control_emoji_and_rtl_text_round_trips_to_the_reports() {
    let w = Work::new();
    let long: String = "长".repeat(32_767);
    let odd = "Acme\u{0007}\u{200F} شركة 🚢 GmbH";
    w.xlsx(
        "o.xlsx",
        orders_with(vec![
            order_row(
                "PO-1",
                &long,
                1.0,
                (2026, 11, 1),
                (2026, 11, 27),
                "confirmed",
                "Li",
            ),
            order_row(
                "PO-2",
                odd,
                1.0,
                (2026, 11, 1),
                (2026, 11, 28),
                "confirmed",
                "Li",
            ),
        ]),
    );
    let v = check(&w, "o.xlsx");
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 2);
    let out = w
        .gendan()
        .args([
            "run", "--orders", "o.xlsx", "--as-of", AS_OF, "--out", "out", "--lang", "en", "-q",
        ])
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    let r = sheet(&w.path("out/kpi-report-2026-W49.xlsx"), "Delivery");
    let customers: Vec<String> = r.rows().skip(3).map(|row| row[1].to_string()).collect();
    assert!(
        customers.iter().any(|c| c.chars().count() == 32_767),
        "the 32,767-character name is kept whole"
    );
    // Control characters are white space for the reader; the emoji and RTL text stay.
    assert!(
        customers
            .iter()
            .any(|c| c.contains("🚢") && c.contains("شركة")),
        "{customers:?}"
    );
}

#[test]
fn extreme_numbers() {
    let w = Work::new();
    w.xlsx(
        "o.xlsx",
        orders_with(vec![
            order_row(
                "PO-1",
                "A",
                1e308,
                (2026, 11, 1),
                (2026, 12, 20),
                "confirmed",
                "Li",
            ),
            order_row(
                "PO-2",
                "B",
                -0.0,
                (2026, 11, 1),
                (2026, 12, 20),
                "confirmed",
                "Li",
            ),
            {
                let mut r = confirmed("PO-3", "C");
                r[3] = s("NaN");
                r
            },
            {
                let mut r = confirmed("PO-4", "D");
                r[3] = s("1e308");
                r
            },
        ]),
    );
    let v = check(&w, "o.xlsx");
    let mut got = rule_cells(&v);
    got.retain(|(r, _)| r.starts_with('V'));
    // 1e308 as a number is past Excel's 15 digits (and would make an
    // infinite amount): V03. -0 reads as 0, which is not a quantity; NaN and
    // 1e308 as text are not numbers.
    assert_eq!(
        got,
        vec![
            ("V02".into(), "D4".into()),
            ("V02".into(), "D5".into()),
            ("V03".into(), "D2".into()),
            ("V03".into(), "D3".into())
        ]
    );
    let big = flags_of(&v, "V03")
        .into_iter()
        .find(|f| f["cell"] == "D2")
        .unwrap();
    assert!(big["message"].as_str().unwrap().contains("< 1e15"), "{big}");
}

#[test]
fn phantom_and_zero_date_serials() {
    let w = Work::new();
    let mut phantom = confirmed("PO-1", "A");
    phantom[4] = n(60.0); // Excel's 1900-02-29
    let mut zero = confirmed("PO-2", "B");
    zero[4] = n(0.0);
    let mut neg = confirmed("PO-3", "C");
    neg[5] = n(-5.0);
    w.xlsx("o.xlsx", orders_with(vec![phantom, zero, neg]));
    let v = check(&w, "o.xlsx");
    let mut got = rule_cells(&v);
    got.retain(|(r, _)| r.starts_with('V'));
    assert_eq!(
        got,
        vec![
            ("V02".into(), "E3".into()),
            ("V02".into(), "F4".into()),
            ("V05".into(), "E2".into())
        ]
    );
}

#[test]
fn a_header_missing_required_fields_names_them_and_their_aliases() {
    let w = Work::new();
    w.xlsx(
        "o.xlsx",
        vec![Sheet::new(
            "O",
            vec![
                header(&["Order No", "Customer", "Product", "Qty"]),
                vec![s("PO-1"), s("A"), s("B"), n(1.0)],
            ],
        )],
    );
    let v = check(&w, "o.xlsx");
    let v01 = flags_of(&v, "V01");
    let fields: Vec<&str> = v01.iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["order_date", "due_date", "status", "owner"]);
    assert!(v01.iter().all(|f| f["cell"] == "A1"));
    assert!(
        v01[0]["message"].as_str().unwrap().contains("下单日期"),
        "{}",
        v01[0]["message"]
    );
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 1);
}

#[test]
fn a_hostile_sheet_name_is_quoted_in_links() {
    let w = Work::new();
    let mut sheets = orders_with(vec![order_row(
        "PO-1",
        "A",
        1.0,
        (2026, 11, 1),
        (2026, 11, 20),
        "confirmed",
        "Li",
    )]);
    sheets[0].name = "=o'brien!".into();
    w.xlsx("o.xlsx", sheets);
    let out = w
        .gendan()
        .args([
            "run", "--orders", "o.xlsx", "--as-of", AS_OF, "--out", "out", "-q",
        ])
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    let r = sheet(&w.path("out/kpi-report-2026-W49.xlsx"), "数据问题");
    assert!(r
        .rows()
        .skip(3)
        .any(|row| row[8] == Data::String("=o'brien!".into())));
}

#[test]
fn binary_junk_and_an_encrypted_container_are_exit_1() {
    let w = Work::new();
    let mut junk = vec![0u8; 4096];
    for (i, b) in junk.iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    w.write("junk.xlsx", &junk);
    w.gendan()
        .args(["check", "--orders", "junk.xlsx"])
        .assert()
        .code(1)
        .stderr(contains("junk.xlsx"));
    // An OLE container with an EncryptedPackage stream is how Excel stores
    // a password-protected workbook.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(vec![0u8; 512]);
    ole.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    w.write("locked.xlsx", &ole);
    w.gendan()
        .args(["check", "--orders", "locked.xlsx", "--lang", "en"])
        .assert()
        .code(1)
        .stderr(contains("locked.xlsx"))
        .stderr(contains("password"));
}

#[test]
fn absurd_report_dates_are_usage_errors_not_panics() {
    let w = Work::new();
    w.xlsx("o.xlsx", orders_with(vec![]));
    for d in ["0001-01-01", "9999-12-31", "2026-02-30", "soon"] {
        let out = w
            .gendan()
            .args(["check", "--orders", "o.xlsx", "--as-of", d])
            .output()
            .unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{d}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
        let out = w
            .gendan()
            .args(["demo-data", "x", "--orders", "5", "--as-of", d])
            .output()
            .unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "demo-data {d}");
    }
    w.write("t.toml", b"[report]\nas_of = \"0001-01-01\"\n");
    w.gendan()
        .args(["check", "--template", "t.toml"])
        .assert()
        .code(2)
        .stderr(contains("line 2"));
}

#[test]
fn sheet_data_over_the_size_limit_is_refused_before_unpacking() {
    let w = Work::new();
    let rows: Vec<Vec<Cell>> = (0..30_000)
        .map(|i| confirmed(&format!("PO-{i}"), "Acme Trading GmbH"))
        .collect();
    w.xlsx("big.xlsx", orders_with(rows));
    w.write("t.toml", b"[limits]\nmax_sheet_mb = 1\n[inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n");
    let out = w
        .gendan()
        .args([
            "check",
            "--template",
            "t.toml",
            "--orders",
            "big.xlsx",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("big.xlsx") && err.contains("max_sheet_mb") && err.contains("xl/worksheets/"),
        "{err}"
    );
    // Under the default limit the same file is read.
    let v = check(&w, "big.xlsx");
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 30_000);
}

#[test]
fn a_sheet_over_the_row_or_column_limit_is_skipped_with_the_reason() {
    let w = Work::new();
    let rows: Vec<Vec<Cell>> = (0..20)
        .map(|i| confirmed(&format!("PO-{i}"), "A"))
        .collect();
    w.xlsx("o.xlsx", orders_with(rows));
    w.write(
        "t.toml",
        b"[limits]\nmax_rows = 10\n[inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n",
    );
    // The only sheet skipped: nothing read, exit 1 with the reason.
    let err = nothing_read(&w, &["--template", "t.toml", "--orders", "o.xlsx"]);
    assert!(err.contains("o.xlsx › Orders: 21 rows"), "{err}");
    assert!(err.contains("max_rows 10"), "{err}");
    w.write("t.toml", b"[limits]\nmax_columns = 5\n[inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n");
    let err = nothing_read(&w, &["--template", "t.toml", "--orders", "o.xlsx"]);
    assert!(err.contains("max_columns 5"), "{err}");
    // Beside a sheet that is read, the skipped one is listed.
    w.xlsx(
        "two.xlsx",
        vec![
            Sheet::new(
                "Small",
                vec![header(&ORDER_HEADER_EN), confirmed("PO-1", "A")],
            ),
            orders_with(
                (0..20)
                    .map(|i| confirmed(&format!("PO-{i}"), "A"))
                    .collect(),
            )
            .remove(0),
        ],
    );
    w.write(
        "t.toml",
        b"[limits]\nmax_rows = 10\n[inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n",
    );
    let (_, v) = w.check_json(&[
        "--template",
        "t.toml",
        "--orders",
        "two.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ]);
    let skipped = &v["inputs"][0]["skipped_sheets"][0];
    assert_eq!(skipped["name"], "Orders");
    assert!(
        skipped["reason"].as_str().unwrap().contains("max_rows 10"),
        "{skipped}"
    );
    w.write("t.toml", b"[limits]\nmax_rows = 0\n");
    w.gendan()
        .args(["check", "--template", "t.toml"])
        .assert()
        .code(2)
        .stderr(contains("max_rows"));
}

// ---- Output folders: outside the tree, read-only, full, blocked ----

/// One order, enough for a run to write both workbooks.
fn one_order(w: &Work, name: &str) {
    w.xlsx(
        name,
        orders_with(vec![order_row(
            "PO-1",
            "Acme",
            10.0,
            (2026, 11, 1),
            (2026, 11, 20),
            "in production",
            "Li",
        )]),
    );
}

/// The binary as a plain `std::process::Command` in the test's folder, so
/// a test can change its user or limits before it starts.
fn raw_gendan(w: &Work, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gendan"));
    cmd.current_dir(w.path("")).args(args);
    cmd
}

const RUN_W49: &[&str] = &[
    "run",
    "--orders",
    "orders.xlsx",
    "--as-of",
    AS_OF,
    "--out",
    "out",
    "--lang",
    "en",
    "-q",
];

/// Every file under `dir` (relative name → bytes), sub-folders included,
/// except the lock file (each run writes its pid there by design).
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                if name != ".gendan.lock" {
                    out.insert(name, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    out
}

#[test]
fn out_dir_outside_the_template_tree_is_written_without_touching_other_files() {
    let w = Work::new();
    one_order(&w, "orders.xlsx");
    std::fs::create_dir_all(w.path("a/b/tpl")).unwrap();
    std::fs::copy(w.path("orders.xlsx"), w.path("a/b/tpl/orders.xlsx")).unwrap();
    w.write(
        "a/b/tpl/t.toml",
        b"[report]\nlang = \"en\"\nout_dir = \"../../../elsewhere/reports\"\n\
          [inputs.orders]\npaths = [\"orders.xlsx\"]\n\
          [inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n",
    );
    // Somebody else's files in the folder gendan is pointed at, including
    // names close to gendan's own temporary names.
    let dest = w.path("elsewhere/reports");
    std::fs::create_dir_all(dest.join("keep")).unwrap();
    for (name, body) in [
        ("notes.txt", "mine"),
        (".kpi-report-draft.tmp", "a draft, not gendan's"),
        (".kpi-report-2026-W49.xlsx.tmp", "no pid: not gendan's"),
        ("kpi-report-2026-W40.xlsx", "an old report"),
        ("keep/inner.xlsx", "nested"),
    ] {
        std::fs::write(dest.join(name), body).unwrap();
    }
    let before = snapshot(&dest);
    let out = raw_gendan(
        &w,
        &[
            "run",
            "--template",
            "a/b/tpl/t.toml",
            "--as-of",
            AS_OF,
            "-q",
        ],
    )
    .output()
    .unwrap();
    no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = snapshot(&dest);
    for (name, bytes) in &before {
        assert!(
            after.get(name) == Some(bytes),
            "{name} was changed or removed"
        );
    }
    assert!(after.contains_key("kpi-report-2026-W49.xlsx"));
    assert!(after.contains_key("feedback-report-2026-W49.xlsx"));
    let temps: Vec<&String> = after
        .keys()
        .filter(|n| n.ends_with(".tmp") && !before.contains_key(*n))
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

/// Asserts two snapshots are equal, naming the files that differ.
fn same_files(
    after: &std::collections::BTreeMap<String, Vec<u8>>,
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let differ: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(differ.is_empty(), "{what}: these files differ: {differ:?}");
}

/// The effective user of this test process (the owner of a file it makes).
fn euid(w: &Work) -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = w.write("uid-probe", b"");
    std::fs::metadata(probe).unwrap().uid()
}

#[test]
fn a_read_only_output_folder_is_exit_1_and_the_reports_stay() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let w = Work::new();
    one_order(&w, "orders.xlsx");
    let first = raw_gendan(&w, RUN_W49).output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    let out_dir = w.path("out");
    let before = snapshot(&out_dir);
    // Read-only for everybody; as root, run as `nobody`, whom the mode binds.
    let set_mode = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set_mode(&w.path(""), 0o755);
    set_mode(&w.path("orders.xlsx"), 0o644);
    set_mode(&out_dir, 0o555);
    let mut cmd = raw_gendan(&w, RUN_W49);
    if euid(&w) == 0 {
        cmd.uid(65534).gid(65534);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        // Root without the right to change user (a locked-down container):
        // a mode cannot bind root, so this case cannot be staged here.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            set_mode(&out_dir, 0o755);
            eprintln!("read-only folder not tested: cannot run as another user: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    set_mode(&out_dir, 0o755);
    no_panic(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("out"), "names the folder: {err}");
    same_files(
        &snapshot(&out_dir),
        &before,
        "previous reports byte-identical",
    );
}

#[test]
fn a_full_output_folder_is_exit_1_and_the_reports_stay() {
    use std::os::unix::process::CommandExt;
    let w = Work::new();
    one_order(&w, "orders.xlsx");
    assert_eq!(
        raw_gendan(&w, RUN_W49).output().unwrap().status.code(),
        Some(0)
    );
    let before = snapshot(&w.path("out"));
    // A disk that fills up: no file may grow past 4 KB (the workbooks are
    // larger), and writing past it fails with EFBIG instead of a signal.
    let mut cmd = raw_gendan(&w, RUN_W49);
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    no_panic(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not full"), "says what to check: {err}");
    same_files(
        &snapshot(&w.path("out")),
        &before,
        "previous reports intact, no temporary file left",
    );
}

#[test]
fn a_run_whose_reports_cannot_be_placed_is_not_recorded_in_the_history() {
    let w = Work::new();
    one_order(&w, "orders.xlsx");
    assert_eq!(
        raw_gendan(&w, RUN_W49).output().unwrap().status.code(),
        Some(0)
    );
    // Next week's KPI workbook name is taken by a folder: the rename fails.
    std::fs::create_dir_all(w.path("out/kpi-report-2026-W50.xlsx/x")).unwrap();
    let out = raw_gendan(
        &w,
        &[
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            "2026-12-07",
            "--out",
            "out",
            "-q",
        ],
    )
    .output()
    .unwrap();
    no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hist = raw_gendan(&w, &["history", "--out", "out"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&hist.stdout);
    assert!(text.contains("2026-W49"), "{text}");
    assert!(
        !text.contains("2026-W50"),
        "the failed week is not recorded: {text}"
    );
}

#[test]
fn a_workbook_saved_with_a_password_is_exit_1_naming_it() {
    // tests/fixtures/encrypted.xlsx: plain.xlsx encrypted with the password
    // "gendan" by msoffcrypto-tool (ECMA-376 agile encryption, as Excel
    // writes it); see tests/fixtures/README.md.
    let w = Work::new();
    std::fs::copy(fixture("encrypted.xlsx"), w.path("locked.xlsx")).unwrap();
    let out = w
        .gendan()
        .args(["check", "--orders", "locked.xlsx", "--as-of", AS_OF])
        .args(["--lang", "en"])
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("locked.xlsx")
            && err.contains("password-protected")
            && err.contains("without a password"),
        "{err}"
    );
}

/// External link targets of every sheet of a produced workbook.
fn external_targets(path: &std::path::Path) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().flatten().map(|n| n.into_owned()).collect();
    let mut out = Vec::new();
    for name in names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/_rels/"))
    {
        let text = zip_entry(path, name);
        for rel in text.split("<Relationship ").skip(1) {
            if rel.contains("TargetMode=\"External\"") {
                let target = rel
                    .split("Target=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                out.push(target.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn links_point_only_at_the_input_file_whatever_its_name() {
    // A file name rust_xlsxwriter cannot put in a link (`#` starts the cell
    // location; `%41` would be read as an escape) gets the cell as text; an
    // ordinary odd name gets a link to exactly that file.
    for (name, expected) in [
        ("orders #1.xlsx", vec![]),
        ("orders %41.xlsx", vec![]),
        (
            "orders (1) 50%.xlsx",
            vec!["../orders%20(1)%2050%25.xlsx".to_string()],
        ),
    ] {
        let w = Work::new();
        one_order(&w, name);
        let out = w
            .gendan()
            .args([
                "run", "--orders", name, "--as-of", AS_OF, "--out", "out", "--lang", "en", "-q",
            ])
            .output()
            .unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let report = w.path("out/kpi-report-2026-W49.xlsx");
        assert_eq!(external_targets(&report), expected, "{name}");
        // Each flag still names its cell, as text where there is no link.
        let issues = sheet_text(&report, "Data issues");
        let col = issues[2].iter().position(|c| c == "Cell").unwrap();
        assert!(issues.len() > 3, "{name}: flags listed");
        assert!(
            issues[3..].iter().all(|r| r[col].len() >= 2),
            "{name}: {issues:?}"
        );
    }
}

#[test]
fn a_workbook_with_no_sheets_is_exit_1_naming_it() {
    use std::io::{Read, Write};
    let w = Work::new();
    let made = w.xlsx("o.xlsx", orders_with(vec![]));
    // The same package with the sheet list emptied and the sheet parts gone.
    let mut src = zip::ZipArchive::new(std::fs::File::open(&made).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(w.path("nosheets.xlsx")).unwrap());
    for i in 0..src.len() {
        let mut entry = src.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        if name.starts_with("xl/worksheets/") {
            continue;
        }
        let mut body = Vec::new();
        entry.read_to_end(&mut body).unwrap();
        if name == "xl/workbook.xml" {
            let text = String::from_utf8(body).unwrap();
            let (head, rest) = text.split_once("<sheets>").unwrap();
            let (_, tail) = rest.split_once("</sheets>").unwrap();
            body = format!("{head}<sheets/>{tail}").into_bytes();
        }
        dst.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        dst.write_all(&body).unwrap();
    }
    dst.finish().unwrap();
    w.gendan()
        .args(["check", "--orders", "nosheets.xlsx", "--as-of", AS_OF])
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(contains("nosheets.xlsx"))
        .stderr(contains("error: nosheets.xlsx: the workbook has no sheets"));
    // A Chinese run says it in Chinese, label included.
    w.gendan()
        .args(["check", "--orders", "nosheets.xlsx", "--as-of", AS_OF])
        .args(["--lang", "zh"])
        .assert()
        .code(1)
        .stderr(contains(
            "错误：nosheets.xlsx：工作簿中没有工作表——请重新导出台账",
        ));
}

// ---- Findings of the fuzz target (fuzz/README.md), each kept as a case ----

#[test]
fn damaged_xls_containers_are_a_plain_exit_1() {
    // Mutated .xls files on which calamine 0.38 panicked (a slice past the
    // end of a stream; an assertion on a stream's length) or looped until
    // the memory ran out (a damaged sector chain): the container is now
    // checked first, and a panic inside calamine is contained too.
    for name in ["cfb-slice.xls", "cfb-assert.xls", "sector-loop.xls"] {
        let w = Work::new();
        std::fs::copy(fixture(&format!("fuzz/{name}")), w.path(name)).unwrap();
        let out = w
            .gendan()
            .args(["check", "--orders", name, "--as-of", AS_OF])
            .args(["--lang", "en"])
            .output()
            .unwrap();
        no_panic(&out);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(name)
                && err.contains("not a readable workbook")
                && err.contains("damaged OLE container"),
            "{name}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn an_xls_whose_cells_span_billions_is_refused_before_it_is_opened() {
    // Found by the fuzz target: cell records naming column 65,535 made
    // calamine allocate 135 GB for the grid while opening the file.
    // A third (grid-20m.xls, run 3) stayed under max_cells but still cost
    // 5 GB: no .xls sheet can exceed 65,536 × 256 cells, so more is damage.
    for (name, cells) in [
        ("far-column.xls", "4245230736"),
        ("wide-grid.xls", "135051147"),
        ("grid-20m.xls", "54360936"),
        // Run 4: a DIMENSIONS record declaring 144 trillion cells, for
        // which calamine reserved room (5.7 PB) before reading any cell.
        ("dimensions.xls", "144220706563752"),
    ] {
        let w = Work::new();
        std::fs::copy(fixture(&format!("fuzz/{name}")), w.path(name)).unwrap();
        let out = w
            .gendan()
            .args(["check", "--orders", name, "--as-of", AS_OF])
            .args(["--lang", "en"])
            .output()
            .unwrap();
        no_panic(&out);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(name) && err.contains(cells) && err.contains("16777216"),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_date_cell_holding_a_huge_serial_is_v02_not_a_crash() {
    // Found by the fuzz target in an .xls (calamine's date conversion
    // panics past chrono's range); the same value in an .xlsx date cell.
    let w = Work::new();
    std::fs::copy(fixture("fuzz/huge-date.xls"), w.path("huge-date.xls")).unwrap();
    let v = check(&w, "huge-date.xls");
    let cells: Vec<String> = flags_of(&v, "V02")
        .iter()
        .map(|f| f["cell"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cells, vec!["L14".to_string()]);

    let mut row = confirmed("PO-1", "A");
    row[4] = Cell::Serial(1e300);
    w.xlsx("o.xlsx", orders_with(vec![row]));
    let v = check(&w, "o.xlsx");
    let got: Vec<(String, String)> = rule_cells(&v)
        .into_iter()
        .filter(|(r, _)| r.starts_with('V'))
        .collect();
    assert_eq!(got, vec![("V02".to_string(), "E2".to_string())]);
}

#[test]
fn a_stray_cell_in_xfd1048576_skips_the_sheet_instead_of_eating_the_memory() {
    // Found by the fuzz target (as .xls) and checked for .xlsx: the grid of
    // a sheet is as large as its used area, so one far cell used to make
    // the reader allocate 17 billion cells and be killed.
    let w = Work::new();
    let mut rows = vec![header(&ORDER_HEADER_EN)];
    rows.push(confirmed("PO-1", "A"));
    w.xlsx("good.xlsx", vec![Sheet::new("Orders", rows)]);
    // The same workbook with one more cell, far away.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Orders").unwrap();
    for (c, h) in ORDER_HEADER_EN.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(w.path("far.xlsx")).unwrap();
    let reason = nothing_read(&w, &["--orders", "far.xlsx"]);
    assert!(
        reason.contains("far.xlsx › Orders")
            && reason.contains("XFD1048576")
            && reason.contains("max_cells 60000000"),
        "{reason}"
    );
    // A lower limit in the template applies to ordinary sheets too.
    w.write(
        "t.toml",
        b"[limits]\nmax_cells = 10\n[inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n",
    );
    let reason = nothing_read(&w, &["--template", "t.toml", "--orders", "good.xlsx"]);
    assert!(reason.contains("max_cells 10"), "{reason}");
}
