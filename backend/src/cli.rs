//! The `huimin` command (SPEC §7): `serve`, `migrate`, `demo`, `user create`, `audit verify`,
//! `export ocds`, `divisions import`, `verify budgets`.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use entity::rules::vocab::Role;
use uuid::Uuid;

use crate::config::Config;
use crate::services::users::{self, NewUser};
use crate::services::{budget, divisions, ocds};
use crate::state::AppState;
use crate::{app, audit, demo, telemetry};

/// Huimin: government purchase of social-work and volunteer services.
#[derive(Parser)]
#[command(name = "huimin", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Subcommand)]
pub enum Command {
    /// Serve the HTTP API (migrates the database first).
    Serve {
        /// Load the demo data set into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
        /// Do not run the scheduled jobs in this process (run `huimin worker` instead).
        #[arg(long)]
        no_jobs: bool,
    },
    /// Run the scheduled jobs only (several workers may share one PostgreSQL).
    Worker,
    /// List or run the scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Load the demo data set into an empty database.
    Demo,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Export data in open formats.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// The register of division names.
    Divisions {
        #[command(subcommand)]
        command: DivisionsCommand,
    },
    /// Check kept figures against the records they sum.
    Verify {
        #[command(subcommand)]
        command: VerifyCommand,
    },
}

/// `huimin verify …`
#[derive(Subcommand)]
pub enum VerifyCommand {
    /// Compare each budget line's kept reserved, committed and disbursed with its tenders,
    /// contracts and payments: exit 0 when all agree, 2 listing the lines that do not.
    Budgets {
        /// Correct the lines that disagree, counting them afresh from the records (each
        /// correction is an audit event); exit 0 once corrected.
        #[arg(long)]
        recount: bool,
    },
}

/// `huimin divisions …`
#[derive(Subcommand)]
pub enum DivisionsCommand {
    /// Load division names from a CSV file with the columns code,name (a header row is
    /// allowed): parents follow from the codes, known codes take the new name, and a bad row
    /// refuses the whole file (naming its line) with nothing written.
    Import {
        /// The CSV file (UTF-8).
        file: std::path::PathBuf,
    },
}

/// `huimin export …`
#[derive(Subcommand)]
pub enum ExportCommand {
    /// Write the OCDS 1.1 release package of every tender and direct award (as
    /// `GET /api/v1/ocds/releases` serves it to a supervisor) to a file.
    Ocds {
        /// The file to write (replaced only once the package is complete).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Only processes changed at or after this instant (RFC 3339).
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
    },
}

/// `huimin user …`
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user, e.g. the first admin.
    Create(CreateUser),
}

/// `huimin user create …`
#[derive(clap::Args)]
pub struct CreateUser {
    #[arg(long)]
    email: String,
    #[arg(long)]
    password: String,
    /// admin, finance_officer, organisation or supervisor.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Display name (defaults to the e-mail).
    #[arg(long)]
    name: Option<String>,
    /// The purchaser of a finance officer.
    #[arg(long, conflicts_with = "organisation")]
    purchaser: Option<Uuid>,
    /// The organisation of an organisation's staff member.
    #[arg(long)]
    organisation: Option<Uuid>,
    /// A finance officer who may approve payment requests (SPEC §9).
    #[arg(long)]
    approver: bool,
}

/// `huimin jobs …`
#[derive(Subcommand)]
pub enum JobsCommand {
    /// Each job, its schedule and its next runs.
    List,
    /// Run one job now, as a manual slot.
    Run {
        /// milestone_reminders, indicator_check, post_vacancy_check, contract_expiry,
        /// budget_watch, send_notifications, audit_anchor, payment_request_reminders or
        /// file_sweep.
        job: String,
    },
}

/// `huimin audit …`
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain; exit 0 when intact, 2 naming the first bad event, 4 when it no
    /// longer holds an anchored event with its hash, 3 when events written over a minute ago
    /// are still not sealed into it.
    Verify {
        /// A head witnessed earlier (`GET /api/v1/audit/head`, the daily `audit_anchor`
        /// mail), as SEQ:HASH: fails unless the chain still holds that event with that hash,
        /// so deleting the newest events is caught. May be repeated.
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Vec<audit::Anchor>,
    },
}

/// Where `/metrics` is served without a token, if anywhere.
fn print_metrics(l: &app::Listening) {
    if let Some(m) = l.metrics {
        println!("Metrics: http://{m}/metrics");
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| "expected admin, finance_officer, organisation or supervisor".into())
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init_logging(cli.config.log_format);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// How often `serve` seals events a crashed process left unsealed (besides after each write).
const SEAL_SWEEP: std::time::Duration = std::time::Duration::from_secs(5);

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let state = app::open(cli.config).await?;
    match cli.command {
        Command::Migrate => println!("database is up to date"),
        Command::Demo => {
            demo::load(&state).await?;
            state.sealer.seal().await.context("seal the audit chain")?;
        }
        Command::Worker => {
            app::run_worker(state, |l| {
                println!("Huimin worker: running the scheduled jobs (Ctrl-C to stop)");
                print_metrics(l);
            })
            .await?;
        }
        Command::Jobs {
            command: JobsCommand::List,
        } => list_jobs(&state)?,
        Command::Jobs {
            command: JobsCommand::Run { job },
        } => run_job(&state, &job).await?,
        Command::Serve {
            demo: with_demo,
            no_jobs,
        } => serve(state, with_demo, no_jobs).await?,
        Command::User {
            command: UserCommand::Create(new),
        } => create_user(&state, new).await?,
        Command::Export {
            command: ExportCommand::Ocds { out, since },
        } => {
            let scope = ocds::Scope {
                purchaser: None,
                since,
            };
            let n = ocds::write_file(&state, scope, &out).await?;
            println!("wrote {n} OCDS releases to {}", out.display());
        }
        Command::Audit {
            command: AuditCommand::Verify { anchor },
        } => return verify_chain(&state, &anchor).await,
        Command::Verify {
            command: VerifyCommand::Budgets { recount },
        } => return verify_budgets(&state, recount).await,
        Command::Divisions {
            command: DivisionsCommand::Import { file },
        } => import_divisions(&state, &file).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `huimin serve [--demo] [--no-jobs]`: the API and the pages, the sealer, and (unless
/// `--no-jobs`) the scheduled jobs; prints the address and, with `--demo`, the demo logins.
async fn serve(state: AppState, with_demo: bool, no_jobs: bool) -> anyhow::Result<()> {
    let logins = if with_demo {
        demo::load(&state).await?
    } else {
        None
    };
    let sealer = state.sealer.clone();
    tokio::spawn(async move { sealer.run(SEAL_SWEEP).await });
    if !no_jobs {
        app::schedules()?;
        let st = state.clone();
        tokio::spawn(async move {
            if let Err(e) = app::run_scheduler(st).await {
                tracing::error!(error = %e, "the scheduler stopped");
            }
        });
    }
    let public = state.config.public_url.clone();
    app::serve(state, |l| {
        let url = public
            .or_else(|| l.api.map(|a| format!("http://{a}")))
            .unwrap_or_default();
        // The web address first (the logs go to stderr), then how to sign in.
        println!("Huimin: {url}/  (API docs {url}/docs, OpenAPI {url}/api/openapi.json)");
        if let Some(logins) = &logins {
            println!("{logins}");
        }
        print_metrics(l);
        // Said at start, so that an operator (and a test) knows without waiting for a
        // run whether this process runs the jobs.
        if no_jobs {
            println!("Scheduled jobs: off (--no-jobs); `huimin worker` runs them");
        } else {
            println!("Scheduled jobs: run in this process (`huimin jobs list`)");
        }
    })
    .await
}

/// `huimin jobs list`: each job, its schedule and its next three runs.
fn list_jobs(state: &AppState) -> anyhow::Result<()> {
    let now = state.now();
    for s in app::schedules()? {
        let next: Vec<String> = s
            .next_runs(now, state.config.tz, 3)
            .iter()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S %Z").to_string())
            .collect();
        println!(
            "{:<20} {:<16} next: {}",
            s.job.as_str(),
            s.expression,
            next.join(", ")
        );
    }
    Ok(())
}

/// `huimin jobs run JOB`: one run now, as a manual slot.
async fn run_job(state: &AppState, job: &str) -> anyhow::Result<()> {
    let name = jobs::JobName::parse(job).with_context(|| {
        let all: Vec<_> = jobs::JobName::ALL.iter().map(|j| j.as_str()).collect();
        format!("unknown job {job:?}; one of {}", all.join(", "))
    })?;
    match jobs::runner::run_now(&state.jobs, name).await? {
        Some(c) => println!(
            "{job}: examined {}, notified {}, errors {}",
            c.examined, c.notified, c.errors
        ),
        None => println!("{job}: another process is running this slot"),
    }
    Ok(())
}

/// `huimin user create …`, with the API's checks; a refusal names each field's problem.
async fn create_user(state: &AppState, args: CreateUser) -> anyhow::Result<()> {
    let new = NewUser {
        display_name: args.name.unwrap_or_else(|| args.email.clone()),
        email: args.email,
        role: args.role,
        purchaser_id: args.purchaser,
        organisation_id: args.organisation,
        password: args.password,
        locale: None,
        approver: args.approver.then_some(true),
    };
    let user = users::create_user(state, None, new).await.map_err(|e| {
        let p = e.problem();
        let fields: Vec<String> = p
            .errors
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect();
        anyhow::anyhow!("{} {}", p.detail, fields.join("; "))
    })?;
    state.sealer.seal().await.context("seal the audit chain")?;
    println!(
        "created user {} ({}) with id {}",
        user.email,
        user.role.as_str(),
        user.id
    );
    Ok(())
}

/// `huimin divisions import FILE`: the division register from a CSV file.
async fn import_divisions(state: &AppState, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
    let entries = divisions::parse_csv(&bytes)
        .with_context(|| format!("{}: nothing imported", file.display()))?;
    let done = divisions::import(&state.writer, &entries)
        .await
        .context("write the division register")?;
    println!(
        "imported {} divisions from {} ({} added, {} renamed or unchanged)",
        entries.len(),
        file.display(),
        done.added,
        done.updated
    );
    Ok(())
}

/// `huimin verify budgets [--recount]`: lists the lines whose kept totals differ from their
/// records, and corrects them with `--recount`.
async fn verify_budgets(state: &AppState, recount: bool) -> anyhow::Result<ExitCode> {
    let found = if recount {
        let fixed = budget::recount_mismatched(state)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
        state.sealer.seal().await.context("seal the audit chain")?;
        fixed
    } else {
        budget::mismatches(&state.db)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?
    };
    for m in &found {
        let show = |f: &entity::queries::Figures| {
            format!(
                "reserved {}, committed {}, disbursed {}",
                entity::Money::from_fen(f.reserved_fen),
                entity::Money::from_fen(f.committed_fen),
                entity::Money::from_fen(f.disbursed_fen)
            )
        };
        println!(
            "budget line {} ({} {}): kept {}; its records sum to {}{}",
            m.id,
            m.fiscal_year,
            m.code,
            show(&m.kept),
            show(&m.counted),
            if recount { " (corrected)" } else { "" }
        );
    }
    if found.is_empty() {
        println!("budget lines: every kept total equals its records");
    } else if recount {
        println!("budget lines: {} corrected", found.len());
    } else {
        println!(
            "budget lines: {} disagree with their records (`huimin verify budgets --recount` corrects them)",
            found.len()
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `huimin audit verify [--anchor SEQ:HASH]…`: prints what it found and answers the exit code
/// (a broken chain before a lost anchor before unsealed events).
async fn verify_chain(state: &AppState, anchors: &[audit::Anchor]) -> anyhow::Result<ExitCode> {
    let report = audit::verify_and_record(state, None)
        .await
        .context("read the audit chain")?;
    if report.intact {
        println!("audit chain intact: {} events", report.checked);
    } else {
        println!(
            "audit chain BROKEN at event {}: {} ({} events before it are intact)",
            report.first_bad_seq.unwrap_or_default(),
            report.reason.clone().unwrap_or_default(),
            report.checked
        );
    }
    let mut anchor_lost = false;
    for a in anchors {
        match audit::check_anchor(&state.db, a)
            .await
            .context("read the audit chain")?
        {
            Ok(()) => println!("anchor {a}: held"),
            Err(why) => {
                anchor_lost = true;
                println!("anchor {a}: NOT HELD: {why}");
            }
        }
    }
    if !report.intact {
        return Ok(ExitCode::from(2));
    }
    if anchor_lost {
        return Ok(ExitCode::from(4));
    }
    if report.unsealed_over_a_minute > 0 {
        println!(
            "{} audit events were written over a minute ago and are still not sealed \
             into the chain: is a `huimin serve` running against this database?",
            report.unsealed_over_a_minute
        );
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}
