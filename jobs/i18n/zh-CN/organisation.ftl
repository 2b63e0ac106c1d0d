# The social organisation's home page.
org-home-resubmit = 被退回、待重新提交的服务报告
org-home-officer-comment = 退回意见：
org-home-milestones = 服务节点
org-home-no-milestones = 今后 { $count } 天内没有到期的服务节点。
org-home-due = 到期
org-home-overdue-days = 已逾期 { $count } 天
org-home-days-left = { $count ->
    [0] 今天到期
   *[other] 还有 { $count } 天
}
org-home-amount = 金额
org-home-awaiting-review = 报告待验收
org-home-vacant-posts = 空岗
org-home-no-vacant-posts = 所有岗位都已有社工在岗。
org-home-vacant-days = 空岗 { $count } 天
org-home-payments = 最近收到的支付
org-home-no-payments = 还没有收到支付。
org-home-tenders = 可以响应的采购项目
org-home-no-tenders = 目前没有可以响应的采购项目。
org-home-ceiling = 最高限价
org-home-deadline = 响应截止时间
org-home-all-tenders = 全部采购项目
org-home-report = 提交服务报告
org-home-report-again = 重新提交服务报告
