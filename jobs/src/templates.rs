//! The messages, in the recipient's locale (`zh-CN` by default, or `en`), as a subject, a
//! plain-text body and an HTML body (every value escaped), each naming what it is about and
//! linking to it.

use chrono::NaiveDate;
use entity::rules::vocab::Locale;

/// What a notification says; its variant is its `kind`.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A milestone falls due in `days` days.
    MilestoneDue {
        contract: String,
        milestone: String,
        due: NaiveDate,
        days: i64,
        amount: String,
    },
    /// A milestone is `days` days overdue.
    MilestoneOverdue {
        contract: String,
        milestone: String,
        due: NaiveDate,
        days: i64,
    },
    /// A milestone is 30 days or more overdue (to supervisors).
    MilestoneEscalation {
        contract: String,
        organisation: String,
        milestone: String,
        due: NaiveDate,
        days: i64,
    },
    /// The contract's score so far is below its minimum, or indicators have no recent value.
    IndicatorAlert {
        contract: String,
        score: Option<String>,
        min_pay: String,
        stale: Vec<String>,
    },
    /// A post has been vacant for `days` days since `since`.
    PostVacant {
        contract: String,
        post: String,
        since: NaiveDate,
        days: i64,
    },
    /// A contract ends soon with milestones not accepted.
    ContractExpiring {
        contract: String,
        end: NaiveDate,
        open_milestones: i64,
    },
    /// A budget line is nearly committed, or disbursing too slowly.
    BudgetWatch {
        line: String,
        fiscal_year: i32,
        committed_pct: String,
        disbursed_pct: String,
        elapsed_pct: String,
        high: bool,
        slow: bool,
    },
    /// A budget line's amount changed (to supervisors).
    BudgetAmountChanged {
        line: String,
        old: String,
        new: String,
        reason: String,
    },
    /// A report was submitted (to the officer).
    ReportSubmitted {
        contract: String,
        milestone: String,
        organisation: String,
    },
    /// A report was accepted or rejected (to the organisation).
    ReportDecided {
        contract: String,
        milestone: String,
        accepted: bool,
        comment: Option<String>,
        payable: Option<String>,
    },
    /// A payment was recorded (to the organisation).
    PaymentRecorded {
        contract: String,
        amount: String,
        paid_on: NaiveDate,
        voucher: String,
    },
    /// A tender was published (to active organisations).
    TenderPublished {
        title: String,
        purchaser: String,
        ceiling: String,
        deadline: String,
    },
    /// An admin created a user of the organisation or reset one's password (to the
    /// organisation's contact address and its other active users: nobody signs in as a bidder
    /// unnoticed).
    AccountChanged {
        organisation: String,
        user: String,
        email: String,
        reset: bool,
    },
    /// The audit chain's head, for supervisors to keep outside the database.
    AuditAnchor {
        seq: i64,
        hash: String,
        /// When the head event was written, in local time.
        at: String,
    },
    /// Several reminders of one run to one recipient.
    Digest { items: Vec<(String, String)> },
}

impl Message {
    /// The `kind` stored on the notification and used in its dedupe key.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::MilestoneDue { .. } => "milestone_due",
            Message::MilestoneOverdue { .. } => "milestone_overdue",
            Message::MilestoneEscalation { .. } => "milestone_escalation",
            Message::IndicatorAlert { .. } => "indicator_alert",
            Message::PostVacant { .. } => "post_vacant",
            Message::ContractExpiring { .. } => "contract_expiring",
            Message::BudgetWatch { .. } => "budget_watch",
            Message::BudgetAmountChanged { .. } => "budget_amount_changed",
            Message::ReportSubmitted { .. } => "report_submitted",
            Message::ReportDecided { .. } => "report_decided",
            Message::PaymentRecorded { .. } => "payment_recorded",
            Message::TenderPublished { .. } => "tender_published",
            Message::AccountChanged { .. } => "account_changed",
            Message::AuditAnchor { .. } => "audit_anchor",
            Message::Digest { .. } => "digest",
        }
    }
}

/// The subject and body lines of a message in a locale.
fn texts(m: &Message, l: Locale) -> (String, Vec<String>) {
    let zh = l == Locale::ZhCn;
    match m {
        Message::MilestoneDue {
            contract,
            milestone,
            due,
            days,
            amount,
        } => {
            if zh {
                (
                    format!("【惠民】里程碑“{milestone}”将于{due}到期"),
                    vec![
                        format!("合同：{contract}"),
                        format!("里程碑：{milestone}（金额 {amount} 元）"),
                        format!("到期日：{due}，还有 {days} 天。"),
                        "请在到期前提交里程碑报告及绩效指标数据。".into(),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Milestone \"{milestone}\" is due on {due}"),
                    vec![
                        format!("Contract: {contract}"),
                        format!("Milestone: {milestone} (CNY {amount})"),
                        format!("Due date: {due}, in {days} days."),
                        "Please submit the milestone report and indicator values before it is due."
                            .into(),
                    ],
                )
            }
        }
        Message::MilestoneOverdue {
            contract,
            milestone,
            due,
            days,
        } => {
            if zh {
                (
                    format!("【惠民】里程碑“{milestone}”已逾期 {days} 天"),
                    vec![
                        format!("合同：{contract}"),
                        format!("里程碑：{milestone}"),
                        format!("到期日：{due}，已逾期 {days} 天。"),
                        "请尽快提交报告；财务人员请跟进审核。".into(),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Milestone \"{milestone}\" is {days} days overdue"),
                    vec![
                        format!("Contract: {contract}"),
                        format!("Milestone: {milestone}"),
                        format!("Due date: {due}, {days} days ago."),
                        "Please submit the report now; finance officers, please follow up.".into(),
                    ],
                )
            }
        }
        Message::MilestoneEscalation {
            contract,
            organisation,
            milestone,
            due,
            days,
        } => {
            if zh {
                (
                    format!("【惠民】督办：里程碑“{milestone}”逾期超过 30 天"),
                    vec![
                        format!("合同：{contract}"),
                        format!("承接机构：{organisation}"),
                        format!("里程碑：{milestone}"),
                        format!("到期日：{due}，已逾期 {days} 天。"),
                        "请监督部门关注。".into(),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Escalation: milestone \"{milestone}\" over 30 days overdue"),
                    vec![
                        format!("Contract: {contract}"),
                        format!("Organisation: {organisation}"),
                        format!("Milestone: {milestone}"),
                        format!("Due date: {due}, {days} days ago."),
                        "For the supervisors' attention.".into(),
                    ],
                )
            }
        }
        Message::IndicatorAlert {
            contract,
            score,
            min_pay,
            stale,
        } => {
            let mut lines = vec![if zh {
                format!("合同：{contract}")
            } else {
                format!("Contract: {contract}")
            }];
            if let Some(s) = score {
                lines.push(if zh {
                    format!("当前绩效得分 {s}，低于付款下限 {min_pay}。")
                } else {
                    format!("The score so far is {s}, below the minimum of {min_pay} for payment.")
                });
            }
            if !stale.is_empty() {
                let names = stale.join(if zh { "、" } else { ", " });
                lines.push(if zh {
                    format!("以下指标 90 天内没有数据：{names}。")
                } else {
                    format!("No value in 90 days for: {names}.")
                });
            }
            lines.push(if zh {
                "请核实服务进展并及时报送指标数据。".into()
            } else {
                "Please check the service and report indicator values.".into()
            });
            (
                if zh {
                    format!("【惠民】绩效预警：{contract}")
                } else {
                    format!("[Huimin] Performance warning: {contract}")
                },
                lines,
            )
        }
        Message::PostVacant {
            contract,
            post,
            since,
            days,
        } => {
            if zh {
                (
                    format!("【惠民】岗位“{post}”已空缺 {days} 天"),
                    vec![
                        format!("合同：{contract}"),
                        format!("岗位：{post}"),
                        format!("自 {since} 起无人在岗，已连续空缺 {days} 天。"),
                        "空缺期间的岗位经费将从里程碑付款中扣减，请尽快补员。".into(),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Post \"{post}\" vacant for {days} days"),
                    vec![
                        format!("Contract: {contract}"),
                        format!("Post: {post}"),
                        format!("Nobody has filled it since {since}: {days} days in a row."),
                        "Vacancy days are deducted from milestone payments; please fill the post."
                            .into(),
                    ],
                )
            }
        }
        Message::ContractExpiring {
            contract,
            end,
            open_milestones,
        } => {
            if zh {
                (
                    format!("【惠民】合同“{contract}”将于{end}到期"),
                    vec![
                        format!("合同：{contract}"),
                        format!("到期日：{end}。"),
                        format!("尚有 {open_milestones} 个里程碑未通过验收。"),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Contract \"{contract}\" ends on {end}"),
                    vec![
                        format!("Contract: {contract}"),
                        format!("End date: {end}."),
                        format!("{open_milestones} milestones are not accepted yet."),
                    ],
                )
            }
        }
        Message::BudgetWatch {
            line,
            fiscal_year,
            committed_pct,
            disbursed_pct,
            elapsed_pct,
            high,
            slow,
        } => {
            let mut lines = vec![if zh {
                format!("预算项目：{line}（{fiscal_year} 年度）")
            } else {
                format!("Budget line: {line} ({fiscal_year})")
            }];
            if *high {
                lines.push(if zh {
                    format!("已承诺及预留资金占 {committed_pct}%，超过 90%。")
                } else {
                    format!("Committed and reserved: {committed_pct}% of the amount, over 90%.")
                });
            }
            if *slow {
                lines.push(if zh { format!("支出进度 {disbursed_pct}%，明显落后于年度时间进度 {elapsed_pct}%。") } else { format!("Disbursed {disbursed_pct}%, well behind the {elapsed_pct}% of the year elapsed.") });
            }
            (
                if zh {
                    format!("【惠民】预算执行提示：{line}")
                } else {
                    format!("[Huimin] Budget watch: {line}")
                },
                lines,
            )
        }
        Message::AccountChanged {
            organisation,
            user,
            email,
            reset,
        } => {
            if zh {
                let what = if *reset {
                    "的密码已被管理员重置"
                } else {
                    "已由管理员创建"
                };
                (
                    format!("【惠民】{organisation}的账号“{user}”{what}"),
                    vec![
                        format!("机构：{organisation}"),
                        format!("账号：{user}（{email}）{what}。"),
                        "该账号首次登录时须修改密码。如非本机构所申请，请立即联系财政部门。".into(),
                    ],
                )
            } else {
                let what = if *reset {
                    "had its password reset by an administrator"
                } else {
                    "was created by an administrator"
                };
                (
                    format!("[Huimin] The account \"{user}\" of {organisation} {what}"),
                    vec![
                        format!("Organisation: {organisation}"),
                        format!("Account: {user} ({email}) {what}."),
                        "The account must change its password when it first signs in. If your organisation did not ask for this, contact the finance bureau at once.".into(),
                    ],
                )
            }
        }
        Message::BudgetAmountChanged {
            line,
            old,
            new,
            reason,
        } => {
            if zh {
                (
                    format!("【惠民】预算项目“{line}”金额调整"),
                    vec![
                        format!("预算项目：{line}"),
                        format!("金额由 {old} 元调整为 {new} 元。"),
                        format!("理由：{reason}"),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Budget line \"{line}\" amount changed"),
                    vec![
                        format!("Budget line: {line}"),
                        format!("Amount changed from CNY {old} to CNY {new}."),
                        format!("Reason: {reason}"),
                    ],
                )
            }
        }
        Message::ReportSubmitted {
            contract,
            milestone,
            organisation,
        } => {
            if zh {
                (
                    format!("【惠民】{organisation}提交了里程碑“{milestone}”的报告"),
                    vec![
                        format!("合同：{contract}"),
                        format!("里程碑：{milestone}"),
                        "请审核并作出验收决定。".into(),
                    ],
                )
            } else {
                (
                    format!("[Huimin] {organisation} reported on milestone \"{milestone}\""),
                    vec![
                        format!("Contract: {contract}"),
                        format!("Milestone: {milestone}"),
                        "Please review and accept or reject it.".into(),
                    ],
                )
            }
        }
        Message::ReportDecided {
            contract,
            milestone,
            accepted,
            comment,
            payable,
        } => {
            let mut lines = vec![
                if zh {
                    format!("合同：{contract}")
                } else {
                    format!("Contract: {contract}")
                },
                if zh {
                    format!("里程碑：{milestone}")
                } else {
                    format!("Milestone: {milestone}")
                },
            ];
            if let Some(p) = payable {
                lines.push(if zh {
                    format!("核定应付金额：{p} 元。")
                } else {
                    format!("Payable: CNY {p}.")
                });
            }
            if let Some(c) = comment {
                lines.push(if zh {
                    format!("审核意见：{c}")
                } else {
                    format!("Comment: {c}")
                });
            }
            let subject = match (zh, accepted) {
                (true, true) => format!("【惠民】里程碑“{milestone}”已通过验收"),
                (true, false) => format!("【惠民】里程碑“{milestone}”的报告被退回"),
                (false, true) => format!("[Huimin] Milestone \"{milestone}\" accepted"),
                (false, false) => format!("[Huimin] Report on milestone \"{milestone}\" rejected"),
            };
            (subject, lines)
        }
        Message::PaymentRecorded {
            contract,
            amount,
            paid_on,
            voucher,
        } => {
            if zh {
                (
                    format!("【惠民】已支付 {amount} 元"),
                    vec![
                        format!("合同：{contract}"),
                        format!("{paid_on} 支付 {amount} 元，凭证号 {voucher}。"),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Payment of CNY {amount}"),
                    vec![
                        format!("Contract: {contract}"),
                        format!("CNY {amount} paid on {paid_on}, voucher {voucher}."),
                    ],
                )
            }
        }
        Message::TenderPublished {
            title,
            purchaser,
            ceiling,
            deadline,
        } => {
            if zh {
                (
                    format!("【惠民】新采购公告：{title}"),
                    vec![
                        format!("采购人：{purchaser}"),
                        format!("项目：{title}"),
                        format!("最高限价：{ceiling} 元"),
                        format!("投标截止：{deadline}"),
                    ],
                )
            } else {
                (
                    format!("[Huimin] New tender: {title}"),
                    vec![
                        format!("Purchaser: {purchaser}"),
                        format!("Tender: {title}"),
                        format!("Ceiling: CNY {ceiling}"),
                        format!("Bid deadline: {deadline}"),
                    ],
                )
            }
        }
        Message::AuditAnchor { seq, hash, at } => {
            if zh {
                (
                    format!("【惠民】审计链存证：第 {seq} 条事件"),
                    vec![
                        format!("审计链最新事件：第 {seq} 条（记录于 {at}）"),
                        format!("哈希值：{hash}"),
                        "请在系统之外妥善保存本邮件。日后运行以下命令即可核验审计链仍包含该事件且未被改写；若最新事件被删除，核验将失败：".into(),
                        format!("huimin audit verify --anchor {seq}:{hash}"),
                    ],
                )
            } else {
                (
                    format!("[Huimin] Audit chain anchor: event {seq}"),
                    vec![
                        format!("The audit chain's newest event: {seq} (written {at})"),
                        format!("Hash: {hash}"),
                        "Keep this e-mail outside Huimin. This command later proves that the chain still holds this event unchanged; it fails if the newest events were deleted:".into(),
                        format!("huimin audit verify --anchor {seq}:{hash}"),
                    ],
                )
            }
        }
        Message::Digest { items } => {
            let subject = if zh {
                format!("【惠民】今日提醒（{} 条）", items.len())
            } else {
                format!("[Huimin] Today's reminders ({})", items.len())
            };
            (
                subject,
                items
                    .iter()
                    .flat_map(|(s, t)| [s.clone(), t.clone(), String::new()])
                    .collect(),
            )
        }
    }
}

/// The subject, text body and HTML body of a message for a locale, linking to `link`.
pub fn render(m: &Message, l: Locale, link: &str) -> (String, String, String) {
    let (subject, lines) = texts(m, l);
    let open = if l == Locale::ZhCn {
        "打开惠民查看"
    } else {
        "Open in Huimin"
    };
    let mut text = lines.join("\n");
    text.push_str(&format!("\n\n{open}: {link}\n"));
    let mut html = String::from("<!doctype html><html><body style=\"font-family:sans-serif\">");
    html.push_str(&format!("<h2>{}</h2>", html_escape::encode_text(&subject)));
    for line in &lines {
        html.push_str(&format!("<p>{}</p>", html_escape::encode_text(line)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p></body></html>",
        html_escape::encode_double_quoted_attribute(link),
        html_escape::encode_text(open)
    ));
    (subject, text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_their_subject_in_both_locales_and_escape_html() {
        let m = Message::MilestoneDue {
            contract: "<script>关爱</script>".into(),
            milestone: "第一阶段".into(),
            due: "2026-06-30".parse().unwrap(),
            days: 7,
            amount: "1000.00".into(),
        };
        let (s, t, h) = render(&m, Locale::ZhCn, "http://x/contracts/1");
        assert!(s.contains("第一阶段") && s.contains("2026-06-30"));
        assert!(t.contains("http://x/contracts/1") && t.contains("还有 7 天"));
        assert!(h.contains("&lt;script&gt;") && !h.contains("<script>"));
        let (s, _, _) = render(&m, Locale::En, "http://x");
        assert!(s.starts_with("[Huimin] Milestone"));
    }
}
