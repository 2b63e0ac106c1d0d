## E-mail notifications (jobs/templates/mail/): a subject and the lines of each kind. Values
## arrive formatted (money ¥1,234.00, dates 2026年12月3日); days and counts as numbers.

mail-open = 打开惠民查看
mail-list-separator = 、
mail-contract = 合同：{ $contract }
mail-milestone = 服务节点：{ $milestone }
mail-organisation = 社会组织：{ $organisation }
mail-overdue-since = 到期日：{ $due }，已逾期 { $days } 天。

mail-milestone-due-subject = 【惠民】服务节点“{ $milestone }”将于{ $due }到期
mail-milestone-due-milestone = 服务节点：{ $milestone }（金额 { $amount }）
mail-milestone-due-when = 到期日：{ $due }，还有 { $days } 天。
mail-milestone-due-ask = 请在到期前提交服务报告及绩效指标数据。

mail-milestone-overdue-subject = 【惠民】服务节点“{ $milestone }”已逾期 { $days } 天
mail-milestone-overdue-ask = 请尽快提交服务报告；财务人员请跟进审核。

mail-milestone-escalation-subject = 【惠民】督办：服务节点“{ $milestone }”逾期超过 30 天
mail-milestone-escalation-ask = 请监督人员关注。

mail-indicator-alert-subject = 【惠民】绩效预警：{ $contract }
mail-indicator-alert-score = 当前绩效得分 { $score }，低于付款下限 { $min_pay }。
mail-indicator-alert-stale = 以下绩效指标 90 天内没有数据：{ $stale }。
mail-indicator-alert-ask = 请核实服务进展并及时报送绩效指标数据。

mail-post-vacant-subject = 【惠民】岗位“{ $post }”已空岗 { $days } 天
mail-post-vacant-post = 岗位：{ $post }
mail-post-vacant-since = 自 { $since } 起无人在岗，已连续空岗 { $days } 天。
mail-post-vacant-ask = 空岗期间的岗位经费将从服务节点付款中扣减，请尽快补员。

mail-contract-expiring-subject = 【惠民】合同“{ $contract }”将于{ $end }到期
mail-contract-expiring-end = 到期日：{ $end }。
mail-contract-expiring-open = 尚有 { $open } 个服务节点未验收通过。

mail-budget-watch-subject = 【惠民】预算执行提示：{ $line }
mail-budget-watch-line = 预算指标：{ $line }（{ $year } 年度）
mail-budget-watch-high = 已承诺及已预留资金占 { $committed }%，超过 90%。
mail-budget-watch-slow = 已支付 { $disbursed }%，明显落后于年度时间进度 { $elapsed }%。

mail-budget-amount-changed-subject = 【惠民】预算指标“{ $line }”金额调整
mail-budget-amount-changed-line = 预算指标：{ $line }
mail-budget-amount-changed-amounts = 金额由 { $old } 调整为 { $new }。
mail-budget-amount-changed-reason = 理由：{ $reason }

mail-report-submitted-subject = 【惠民】{ $organisation }提交了服务节点“{ $milestone }”的服务报告
mail-report-submitted-ask = 请审核后验收通过或退回。

mail-report-decided-subject-accepted = 【惠民】服务节点“{ $milestone }”已验收通过
mail-report-decided-subject-rejected = 【惠民】服务节点“{ $milestone }”的服务报告被退回
mail-report-decided-payable = 应付金额：{ $payable }。
mail-report-decided-comment = 审核意见：{ $comment }

mail-payment-recorded-subject = 【惠民】已支付 { $amount }
mail-payment-recorded-paid = { $paid_on } 支付 { $amount }，凭证号 { $voucher }。

mail-tender-published-subject = 【惠民】新采购项目：{ $title }
mail-tender-published-purchaser = 采购单位：{ $purchaser }
mail-tender-published-title = 采购项目：{ $title }
mail-tender-published-ceiling = 最高限价：{ $ceiling }
mail-tender-published-deadline = 响应截止时间：{ $deadline }

mail-account-changed-subject-created = 【惠民】{ $organisation }的账号“{ $user }”已由系统管理员创建
mail-account-changed-subject-reset = 【惠民】{ $organisation }的账号“{ $user }”的密码已被系统管理员重置
mail-account-changed-created = 账号：{ $user }（{ $email }）已由系统管理员创建。
mail-account-changed-reset = 账号：{ $user }（{ $email }）的密码已被系统管理员重置。
mail-account-changed-ask = 该账号首次登录时须修改密码。如非本机构所申请，请立即联系财政部门。

mail-audit-anchor-subject = 【惠民】审计链存证：第 { $seq } 条事件
mail-audit-anchor-head = 审计链最新事件：第 { $seq } 条（记录于 { $at }）
mail-audit-anchor-hash = 哈希值：{ $hash }
mail-audit-anchor-ask = 请在系统之外妥善保存本邮件。日后运行以下命令即可核验审计链仍包含该事件且未被改写；若最新事件被删除，核验将失败：
mail-audit-anchor-command = huimin audit verify --anchor { $seq }:{ $hash }

mail-digest-subject = 【惠民】今日提醒（{ $count } 条）

mail-payment-request-subject-submitted = 【惠民】{ $organisation }提交了付款申请 { $amount }，请核验
mail-payment-request-subject-verified = 【惠民】付款申请 { $amount } 已核验，请审批
mail-payment-request-subject-second = 【惠民】付款申请 { $amount } 超过限额，请第二位审批人审批
mail-payment-request-subject-approved = 【惠民】付款申请 { $amount } 已审批，待支付
mail-payment-request-subject-returned = 【惠民】付款申请 { $amount } 被退回，请修改后重新提交
mail-payment-request-advance = 申请类型：预付款
mail-payment-request-amount = 申请金额：{ $amount }
mail-payment-request-comment = 退回意见：{ $comment }
mail-payment-request-waiting-subject = 【惠民】付款申请 { $amount } 已等待 { $days } 天：{ $status ->
    [submitted] 待核验
    [verified] 待审批
    [approved] 待支付
   *[returned] 退回待修改
}
mail-payment-request-waiting-subject-escalation = 【惠民】督办：{ $organisation }的付款申请已等待 { $days } 天
mail-payment-request-waiting-days = 已等待 { $days } 天，当前环节：{ $status ->
    [submitted] 待财务人员核验。
    [verified] 待审批人审批。
    [approved] 已审批，待支付。
   *[returned] 已退回，待社会组织修改。
}
mail-payment-request-waiting-ask = 已超过 15 天，请监督人员关注。
