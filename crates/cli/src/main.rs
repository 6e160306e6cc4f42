//! `tsunagaru`: the server and the admin commands.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tsunagaru_address::Router;
use tsunagaru_pack::{Pack, PackSources};
use tsunagaru_store::{
    AuditAnchors, Repository, VerifyError, verify_audit_log, verify_audit_log_anchored,
};
use tsunagaru_store_postgres::PgStore;
use tsunagaru_store_sqlite::SqliteStore;
use tsunagaru_web::bootstrap::{self, AdminBootstrap};
use tsunagaru_web::{AppState, WebConfig};

mod synth;

#[derive(Parser)]
#[command(
    name = "tsunagaru",
    version,
    about = "つながる — 重層的支援体制整備事業の支援システム"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Web UI と API を起動します
    Serve(ServeArgs),
    /// 監査ログ
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 住所の正規化と担当地域包括支援センターの判定
    Address {
        #[command(subcommand)]
        command: AddressCommand,
    },
    /// 自治体パック（機関・関係各課・担当地区などのデータ）
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// 事業実績
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// 運用中のまま、データベースの一貫したコピーを取ります（SQLite）
    Backup(BackupArgs),
    /// バックアップを新しいデータディレクトリに復元します（検査してから）
    Restore(RestoreArgs),
    /// 試用と性能計測のための架空のデータ（見本）を作ります
    Synth(SynthArgs),
}

#[derive(Args)]
struct SynthArgs {
    /// 作る相談対象者の数
    #[arg(long)]
    persons: u64,
    /// 相談対象者ごとの支援経過記録の数
    #[arg(long, default_value_t = 3)]
    notes_per_person: u32,
    /// 乱数の種（同じ種なら同じデータ）
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 1回の書き込み（トランザクション）にまとめる相談の数
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    /// データの「今日」（YYYY-MM-DD）。相談はこの日までの3年度に散らばります（既定: 今日）
    #[arg(long)]
    today: Option<chrono::NaiveDate>,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pack: PackArgs,
}

#[derive(Args)]
struct BackupArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// 書き出すファイル（既にあれば上書きせずに終了します）
    #[arg(long)]
    output: PathBuf,
}

#[derive(Args)]
struct RestoreArgs {
    /// バックアップのファイル
    #[arg(long)]
    input: PathBuf,
    /// 復元先のデータディレクトリ（データベースが既にあれば上書きせずに終了します）
    #[arg(long)]
    data: PathBuf,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// 年度の事業実績（市全体）を JSON・CSV・xlsx で出力します
    Annual(AnnualArgs),
}

#[derive(Args)]
struct AnnualArgs {
    /// 年度（2025、令和7年度、R7）
    #[arg(long)]
    fiscal_year: String,
    /// json / csv / xlsx
    #[arg(long, default_value = "json")]
    format: String,
    /// 公表用（1〜2件の欄を＊にする）
    #[arg(long)]
    publication: bool,
    /// 書き出すファイル（省略時は標準出力）
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pack: PackArgs,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// ハッシュチェーンを検査し、データベースの外のチェックポイントとも照合して、改ざんがあれば最初の行を示して失敗します
    Verify(DatabaseArgs),
    /// 監査ログの末尾をチェックポイントとして署名し、データディレクトリのファイルに追記します
    Checkpoint(DatabaseArgs),
}

#[derive(Subcommand)]
enum AddressCommand {
    /// 標準入力の住所を1行ずつ判定し、1行1件の JSON を標準出力に書きます
    Route(PackArgs),
    /// 計画の担当地区表と日本郵便のデータの食い違いと、その扱いを表示します
    Check(PackArgs),
}

#[derive(Subcommand)]
enum PackCommand {
    /// パックを読み込み直します（相談などの記録には触れません）
    Reload {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        pack: PackArgs,
    },
    /// パックのファイルを検査します（データベースには触れません）
    Check(PackArgs),
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// SQLite のデータを置くディレクトリ
    #[arg(long, default_value = "./tsunagaru-data")]
    data: PathBuf,
    /// PostgreSQL を使う場合の接続先 (postgres://…)
    #[arg(long, env = "TSUNAGARU_DATABASE_URL")]
    database: Option<String>,
}

#[derive(Args, Clone)]
struct PackArgs {
    /// 自治体パックのディレクトリ（省略時は内蔵の盛岡市パック）
    #[arg(long, env = "TSUNAGARU_PACK")]
    pack: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    /// 待ち受けるアドレス
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    pack: PackArgs,
    /// 試用のための見本ユーザーを各機関に作成します
    #[arg(long)]
    demo: bool,
    /// Cookie に常に Secure を付けます（TLS 終端のプロキシの後ろで使う場合）
    #[arg(long, env = "TSUNAGARU_SECURE_COOKIES")]
    secure_cookies: bool,
}

impl DatabaseArgs {
    async fn open(&self) -> Result<Arc<dyn Repository>> {
        match &self.database {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Arc::new(PgStore::connect(url).await?))
            }
            Some(other) => bail!(
                "--database には postgres:// で始まる URL を指定してください（指定値: {other}）。SQLite は --data で指定します。"
            ),
            None => Ok(Arc::new(SqliteStore::open_dir(&self.data).await?)),
        }
    }
}

impl PackArgs {
    fn load(&self) -> Result<Pack> {
        match &self.pack {
            Some(dir) => Ok(Pack::parse(&PackSources::from_dir(dir)?)?),
            None => Ok(Pack::morioka()),
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_target(false)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("エラー: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args).await.map(|()| std::process::ExitCode::SUCCESS),
        Command::Audit {
            command: AuditCommand::Verify(database),
        } => audit_verify(&database).await,
        Command::Audit {
            command: AuditCommand::Checkpoint(database),
        } => {
            let repo = database.open().await?;
            let anchors = AuditAnchors::open_or_create(&database.data)?;
            match checkpoint(&anchors, repo.as_ref()).await? {
                Some(c) => println!(
                    "チェックポイントを書きました: 通番 {}（{}）",
                    c.seq,
                    anchors_file(&database).display()
                ),
                None => println!("前回のチェックポイントから監査ログは増えていません"),
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Backup(args) => backup(args).await,
        Command::Restore(args) => restore(args).await,
        Command::Address {
            command: AddressCommand::Route(pack),
        } => {
            let router = Router::from_pack(&pack.load()?)?;
            tsunagaru_address::route_lines(
                &router,
                std::io::stdin().lock(),
                std::io::stdout().lock(),
            )?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Address {
            command: AddressCommand::Check(pack),
        } => {
            let router = Router::from_pack(&pack.load()?)?;
            for d in router.discrepancies() {
                println!("[{}] {} → {}", d.kind, d.subject, d.decision);
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Pack {
            command: PackCommand::Reload { database, pack },
        } => {
            let pack = pack.load()?;
            let repo = database.open().await?;
            let report = bootstrap::load_pack(repo.as_ref(), &pack, "cli").await?;
            println!(
                "{} のパックを読み込みました: 機関 追加 {} / 更新 {} / 無効化 {}、関係各課 {}、担当地区の町名 {}、推進員 {}",
                pack.municipality.name,
                report.agencies_added,
                report.agencies_updated,
                report.agencies_deactivated,
                report.departments,
                report.catchment_towns,
                report.network_members
            );
            println!(
                "動いているサーバーは {} 秒以内にこのパックを使います（再起動は要りません）。",
                tsunagaru_app::App::PACK_CHECK_EVERY.as_secs()
            );
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Synth(args) => synth(args).await.map(|()| std::process::ExitCode::SUCCESS),
        Command::Report {
            command: ReportCommand::Annual(args),
        } => report_annual(args)
            .await
            .map(|()| std::process::ExitCode::SUCCESS),
        Command::Pack {
            command: PackCommand::Check(pack),
        } => {
            let pack = pack.load()?;
            Router::from_pack(&pack)?;
            println!(
                "{}: 機関 {}、関係各課 {}、担当地区の町名 {}、推進員 {} — 問題ありません",
                pack.municipality.name,
                pack.agencies.len(),
                pack.departments.len(),
                pack.catchment_towns.len(),
                pack.network_members.len()
            );
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

async fn synth(args: SynthArgs) -> Result<()> {
    if args.persons == 0 || args.batch == 0 {
        bail!("--persons と --batch は 1 以上にしてください");
    }
    let pack = args.pack.load()?;
    let repo = args.database.open().await?;
    bootstrap::ensure_pack(repo.as_ref(), &pack).await?;
    // Workers at every agency to write the sheets, who can also sign in to
    // try the system at size.
    if let Some((password, names)) = bootstrap::create_demo_users(repo.as_ref()).await? {
        println!(
            "見本ユーザーを {} 人作成しました（{} など）。共通パスワード: {password}",
            names.len(),
            names[..3.min(names.len())].join(", ")
        );
    }
    let app = tsunagaru_app::App::new(repo, Arc::new(pack.clone()))?;
    // The application's clock, which dates the sheets and refuses a day
    // after today, runs from the day asked for.
    if let Some(today) = args.today {
        app.clock().set(today);
    }
    let started = std::time::Instant::now();
    let written = synth::run(
        &app,
        &pack,
        &synth::Options {
            persons: args.persons,
            notes_per_person: args.notes_per_person,
            seed: args.seed,
            batch: args.batch,
        },
    )
    .await?;
    println!(
        "架空の相談対象者 {} 人（相談 {} 件、支援経過記録 {} 件、引継ぎ {} 件）を {:.1} 秒で書き込みました。",
        written.persons,
        written.persons,
        written.notes,
        written.handoffs,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<()> {
    let pack = args.pack.load()?;
    let repo = args.database.open().await?;
    if let Some(report) = bootstrap::ensure_pack(repo.as_ref(), &pack).await? {
        tracing::info!(
            agencies = report.agencies_added,
            departments = report.departments,
            "municipality pack loaded"
        );
    }
    let given = std::env::var("TSUNAGARU_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    match bootstrap::ensure_admin(repo.as_ref(), &pack, given)
        .await
        .map_err(anyhow::Error::msg)?
    {
        AdminBootstrap::Exists => {}
        AdminBootstrap::CreatedWithGivenPassword => {
            println!(
                "管理者ユーザー admin を作成しました（パスワードは TSUNAGARU_ADMIN_PASSWORD の値）。"
            );
        }
        AdminBootstrap::CreatedWithRandomPassword(password) => {
            println!(
                "管理者ユーザー admin を作成しました。初期パスワード（この一度だけ表示します）: {password}"
            );
        }
    }
    if args.demo
        && let Some((password, names)) = bootstrap::create_demo_users(repo.as_ref()).await?
    {
        println!(
            "見本ユーザーを {} 人作成しました（{} など）。共通パスワード: {password}",
            names.len(),
            names[..3.min(names.len())].join(", ")
        );
        if !pack.second_factor.required_roles.is_empty() {
            println!(
                "この自治体パックでは、相談対象者を見る役割は最初のログインで確認コード（スマートフォンの認証アプリ）を設定します。"
            );
        }
    }
    let given_sources = pack.sources().clone();
    let state = AppState::new(
        repo.clone(),
        Arc::new(pack),
        WebConfig {
            secure_cookies: args.secure_cookies,
        },
    )?;
    // The pack in use is the stored one, the same on every server of the
    // database; files that differ from it take effect by `pack reload`.
    report_pack_refresh(state.app.refresh_pack().await?);
    if !state.app.pack_is(&given_sources) {
        println!(
            "注意: 指定された自治体パックのファイルは、データベースに読み込まれているパックと異なります。データベースのパックで動きます。ファイルの内容を使うには `tsunagaru pack reload` を実行してください（動いているすべてのサーバーに {} 秒以内に反映されます）。",
            tsunagaru_app::App::PACK_CHECK_EVERY.as_secs()
        );
    }
    let follow_pack = tokio::spawn({
        let app = state.app.clone();
        async move {
            let mut tick = tokio::time::interval(tsunagaru_app::App::PACK_CHECK_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                match app.refresh_pack().await {
                    Ok(refresh) => report_pack_refresh(refresh),
                    Err(e) => tracing::error!("pack refresh: {e}"),
                }
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("{} で待ち受けできません", args.listen))?;
    println!(
        "つながる を起動しました: http://{}/",
        listener.local_addr()?
    );
    // The audit chain's head is signed into a file outside the database at
    // start, every minute it moved, and at shutdown.
    let anchors = AuditAnchors::open_or_create(&args.database.data)?;
    checkpoint(&anchors, repo.as_ref()).await?;
    let periodic = tokio::spawn({
        let (anchors, repo) = (anchors.clone(), repo.clone());
        async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = checkpoint(&anchors, repo.as_ref()).await {
                    tracing::error!("audit checkpoint: {e}");
                }
            }
        }
    });
    axum::serve(listener, tsunagaru_web::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    periodic.abort();
    follow_pack.abort();
    checkpoint(&anchors, repo.as_ref()).await?;
    Ok(())
}

/// Says in the server's log when the pack in use changed, or why a stored
/// pack was not taken up.
fn report_pack_refresh(refresh: tsunagaru_app::pack::PackRefresh) {
    use tsunagaru_app::pack::PackRefresh;
    match refresh {
        PackRefresh::Current => {}
        PackRefresh::Replaced {
            version,
            municipality,
        } => tracing::info!(
            version,
            "{municipality} の自治体パック（版 {version}）を使います"
        ),
        PackRefresh::Refused { version, reason } => tracing::error!(
            version,
            "データベースの自治体パック（版 {version}）を使えません。前のパックで動き続けます: {reason}"
        ),
    }
}

fn anchors_file(database: &DatabaseArgs) -> PathBuf {
    database.data.join(AuditAnchors::LOG_FILE)
}

/// Appends a checkpoint if the chain moved since the last one in the file.
async fn checkpoint(
    anchors: &AuditAnchors,
    repo: &dyn Repository,
) -> Result<Option<tsunagaru_domain::anchor::Checkpoint>> {
    let last = match anchors.read()? {
        Ok(written) => written.iter().map(|c| c.seq).max(),
        Err(forged) => bail!("{forged}"),
    };
    Ok(anchors.checkpoint(repo, last).await?)
}

/// `tsunagaru audit verify`: the chain, and the checkpoints kept beside the
/// data when there is a key (exit code 2 on any tampering).
async fn audit_verify(database: &DatabaseArgs) -> Result<std::process::ExitCode> {
    let repo = database.open().await?;
    let checkpoints = match AuditAnchors::existing(&database.data)? {
        None => None,
        Some(anchors) => match anchors.read()? {
            Ok(list) => Some(list),
            Err(forged) => {
                eprintln!("{forged}");
                return Ok(std::process::ExitCode::from(2));
            }
        },
    };
    let anchored = checkpoints.as_ref().map_or(0, Vec::len);
    let outcome = match checkpoints {
        Some(list) => verify_audit_log_anchored(repo.as_ref(), list).await,
        None => verify_audit_log(repo.as_ref()).await,
    };
    match outcome {
        Ok(count) => {
            if anchored > 0 {
                println!(
                    "監査ログは正常です（{count} 件のハッシュチェーンを確認し、チェックポイント {anchored} 件と照合しました）"
                );
            } else {
                println!("監査ログは正常です（{count} 件のハッシュチェーンを確認しました）");
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Err(VerifyError::Store(e)) => Err(e.into()),
        Err(broken) => {
            eprintln!("{broken}");
            Ok(std::process::ExitCode::from(2))
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// `tsunagaru report annual`: the whole city's figures of a 年度, as the city's
/// staff see them, written as JSON, CSV or xlsx. The run is audited (actor
/// `cli`).
async fn report_annual(args: AnnualArgs) -> Result<()> {
    use std::io::Write;
    use tsunagaru_domain::report::FiscalYear;
    let fiscal_year = FiscalYear::parse(&args.fiscal_year).map_err(|m| anyhow::anyhow!(m))?;
    let repo = args.database.open().await?;
    let app = tsunagaru_app::App::new(repo, Arc::new(args.pack.load()?))?;
    // The command line runs on the server, by whoever holds its files.
    let operator = tsunagaru_app::Actor::command_line(tsunagaru_domain::Role::City);
    let report = app
        .annual_report(&operator, fiscal_year)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = match args.format.as_str() {
        "json" => {
            let mut text = serde_json::to_string_pretty(&tsunagaru_web::ReportAnswer::of(&report))?;
            text.push('\n');
            text.into_bytes()
        }
        "csv" => {
            let rows = report.rows(args.publication);
            tsunagaru_app::export::csv_document(
                &["区分", "項目", "件数"],
                rows.iter().map(|r| r.iter().map(String::as_str)),
            )
            .into_bytes()
        }
        "xlsx" => {
            let title = format!(
                "事業実績 {}（{}）",
                fiscal_year.full_label(),
                report.scope_label
            );
            tsunagaru_app::export::xlsx_document(&title, &report.rows(args.publication))
                .map_err(|e| anyhow::anyhow!("{e}"))?
        }
        other => bail!("--format は json・csv・xlsx のどれかです（指定値: {other}）"),
    };
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(())
}

/// `tsunagaru backup`: a consistent copy of the SQLite database taken while
/// the server keeps serving. The copy carries an audit event naming the
/// audit head it was taken at, which is also printed.
async fn backup(args: BackupArgs) -> Result<std::process::ExitCode> {
    use tsunagaru_domain::{AuditAction, NewAuditEvent};
    if args.database.database.is_some() {
        bail!(
            "PostgreSQL のバックアップは pg_dump で取ります（README の「バックアップと復元」を参照）。tsunagaru backup は SQLite（--data）用です"
        );
    }
    if args.output.exists() {
        bail!(
            "{} は既にあります。上書きしないので、別のファイル名を指定してください",
            args.output.display()
        );
    }
    let store = SqliteStore::open_dir(&args.database.data).await?;
    let before = store.audit_head().await?;
    let file_name = args
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    store
        .append_audit(
            NewAuditEvent::new(AuditAction::BackupCreated, "cli").detail(format!(
                "{file_name}（この時点の監査ログ 通番 {}）",
                before.as_ref().map_or(0, |(seq, _)| *seq) + 1
            )),
        )
        .await?;
    let (seq, hash) = store
        .audit_head()
        .await?
        .context("監査ログの末尾を読めません")?;
    store.backup_into(&args.output).await?;
    store.close().await;
    println!(
        "バックアップを作成しました: {}（監査ログ 通番 {seq}・ハッシュ {hash} まで）",
        args.output.display()
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// `tsunagaru restore`: checks a backup (SQLite's integrity check, then the
/// audit chain) on a scratch copy, and only then places it in a new data
/// directory; never over an existing database.
async fn restore(args: RestoreArgs) -> Result<std::process::ExitCode> {
    use tsunagaru_domain::{AuditAction, NewAuditEvent};
    if !args.input.is_file() {
        bail!(
            "バックアップのファイル {} がありません",
            args.input.display()
        );
    }
    let target = args.data.join(SqliteStore::FILE_NAME);
    if target.exists() {
        bail!(
            "{} には既にデータベースがあります。上書きしないので、新しいディレクトリを指定してください",
            args.data.display()
        );
    }
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("{} を作成できません", args.data.display()))?;
    // The checks run on a scratch copy: a backup that fails them leaves nothing.
    let scratch = args.data.join(".restore-check.sqlite3");
    let remove_scratch = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
        }
    };
    std::fs::copy(&args.input, &scratch)
        .with_context(|| format!("{} を読めません", args.input.display()))?;
    let checked = async {
        let store = SqliteStore::open(&scratch).await?;
        if let Err(found) = store.integrity_check().await? {
            store.close().await;
            return Ok::<_, anyhow::Error>(Err(format!(
                "データベースの整合性検査で問題が見つかりました: {found}"
            )));
        }
        let outcome = match verify_audit_log(&store).await {
            Ok(count) => Ok(count),
            Err(VerifyError::Store(e)) => Err(e.to_string()),
            Err(broken) => Err(format!("監査ログの検査で問題が見つかりました: {broken}")),
        };
        store.close().await;
        Ok(outcome)
    }
    .await;
    remove_scratch();
    let count = match checked {
        Ok(Ok(count)) => count,
        Ok(Err(problem)) => {
            eprintln!("復元しませんでした。{problem}");
            return Ok(std::process::ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("復元しませんでした。バックアップを開けません: {e:#}");
            return Ok(std::process::ExitCode::from(2));
        }
    };
    std::fs::copy(&args.input, &target)
        .with_context(|| format!("{} に書き込めません", target.display()))?;
    std::fs::File::open(&target).and_then(|f| f.sync_all())?;
    let store = SqliteStore::open(&target).await?;
    let file_name = args
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    store
        .append_audit(
            NewAuditEvent::new(AuditAction::BackupRestored, "cli")
                .detail(format!("{file_name} から（監査ログ {count} 件を確認）")),
        )
        .await?;
    store.close().await;
    println!(
        "復元しました: {}（整合性検査と監査ログ {count} 件のハッシュチェーンを確認しました）",
        target.display()
    );
    Ok(std::process::ExitCode::SUCCESS)
}
