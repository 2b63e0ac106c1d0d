//! The jobs of SPEC §5, and `file_sweep` (the file store's housekeeping), with their default
//! cron expressions (six fields, seconds first, day names), each overridable as
//! `HUIMIN_JOB_<NAME>` and evaluated in `HUIMIN_TZ`.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use cron::Schedule;

pub use entity::rules::vocab::JobName;

/// The default cron expression of `job`.
pub fn default_cron(job: JobName) -> &'static str {
    match job {
        JobName::MilestoneReminders | JobName::ContractExpiry => "0 0 8 * * *",
        JobName::IndicatorCheck => "0 0 2 * * *",
        JobName::PostVacancyCheck => "0 0 3 * * *",
        JobName::BudgetWatch => "0 0 7 * * Mon",
        JobName::SendNotifications => "0 * * * * *",
        JobName::AuditAnchor => "0 0 6 * * *",
        JobName::PaymentRequestReminders => "0 30 8 * * *",
        JobName::FileSweep => "0 30 3 * * *",
    }
}

/// The environment variable that overrides the schedule of `job`.
pub fn env_var(job: JobName) -> String {
    format!("HUIMIN_JOB_{}", job.as_str().to_uppercase())
}

/// A job's parsed schedule.
#[derive(Clone, Debug)]
pub struct JobSchedule {
    pub job: JobName,
    pub expression: String,
    pub schedule: Schedule,
}

/// Parses a cron expression: six or seven fields, seconds first; other forms are refused.
pub fn parse(expr: &str) -> Result<Schedule, String> {
    let fields = expr.split_whitespace().count();
    if !(6..=7).contains(&fields) {
        return Err(format!(
            "{expr:?} has {fields} fields; use six, seconds first (e.g. \"0 0 8 * * *\")"
        ));
    }
    Schedule::from_str(expr).map_err(|e| format!("{expr:?}: {e}"))
}

/// Every job's schedule, with overrides from `lookup` (the environment in production).
pub fn schedules(lookup: impl Fn(&str) -> Option<String>) -> Result<Vec<JobSchedule>, String> {
    JobName::ALL
        .iter()
        .map(|&job| {
            let expression = lookup(&env_var(job)).unwrap_or_else(|| default_cron(job).to_string());
            let schedule = parse(&expression).map_err(|e| format!("{}: {e}", env_var(job)))?;
            Ok(JobSchedule {
                job,
                expression,
                schedule,
            })
        })
        .collect()
}

impl JobSchedule {
    /// The next `n` run times after `after`, in the time zone.
    pub fn next_runs(&self, after: DateTime<Utc>, tz: Tz, n: usize) -> Vec<DateTime<Tz>> {
        self.schedule
            .after(&after.with_timezone(&tz))
            .take(n)
            .collect()
    }

    /// The latest slot in `(since, now]`, if any: after downtime a job catches up once, not
    /// once per missed slot.
    pub fn due_slot(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Option<DateTime<Utc>> {
        let mut last = None;
        for t in self.schedule.after(&since.with_timezone(&tz)) {
            let t = t.with_timezone(&Utc);
            if t > now {
                break;
            }
            last = Some(t);
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn defaults_parse_and_five_fields_are_refused() {
        assert_eq!(schedules(|_| None).unwrap().len(), JobName::ALL.len());
        assert!(parse("0 8 * * *").is_err());
        let err = schedules(|k| (k == "HUIMIN_JOB_BUDGET_WATCH").then(|| "nonsense".to_string()))
            .unwrap_err();
        assert!(err.contains("HUIMIN_JOB_BUDGET_WATCH"));
    }

    #[test]
    fn slots_are_in_beijing_time_and_caught_up_once() {
        let s = &schedules(|_| None).unwrap()[0];
        let tz = chrono_tz::Asia::Shanghai;
        // 08:00 in Shanghai is 00:00 UTC.
        let next = s.next_runs(Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(), tz, 1);
        assert_eq!(
            next[0].with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
        );
        // Three days down: one slot, the latest.
        let since = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 1, 0, 0).unwrap();
        assert_eq!(
            s.due_slot(since, now, tz),
            Some(Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap())
        );
        assert_eq!(s.due_slot(now, now, tz), None);
    }
}
