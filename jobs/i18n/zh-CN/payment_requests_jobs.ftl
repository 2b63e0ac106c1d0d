# 付款申请（SPEC §9）：提醒任务、资金使用报表、合同档案
jobs-name-payment-request-reminders = 付款申请催办

spending-requests-waiting = 待办付款申请
spending-oldest-request-days = 最久等待（天）
spending-flag-requests-approved-by-accepter = { $count } 笔付款申请由验收该服务节点的人审批
spending-flag-requests-approved-by-accepter-name = 验收人审批付款
spending-flag-requests-approved-by-accepter-why = 付款申请由验收该服务节点的同一人审批。系统不允许这样审批（审批人不得是核验人或验收人），本项应始终为 0。

dossier-kind-request = 付款申请
dossier-request-submitted = 提交付款申请 { $name }
dossier-request-resubmitted = 修改后重新提交付款申请 { $name }
dossier-request-verified = 付款申请 { $name } 已核验
dossier-request-approved = 付款申请 { $name } 已审批
dossier-request-second-approved = 付款申请 { $name } 经第二位审批人审批
dossier-request-returned = 付款申请 { $name } 被退回
dossier-request-withdrawn = 付款申请 { $name } 已撤回
dossier-request-paid = 付款申请 { $name } 已支付
dossier-request-invoice = 发票号
dossier-request-waited = 距上一环节 { $count } 天
dossier-request-waiting = 已在当前环节等待 { $count } 天
dossier-request-comment = 退回意见：{ $name }

