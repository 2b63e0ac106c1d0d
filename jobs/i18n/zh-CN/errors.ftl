## 出错提示：API 错误代码（code）的译文，键为 error- 加代码（. 和 _ 换成 -）。术语依照词汇表。

## Error pages
error-title-403 = 无权访问
error-title-404 = 页面不存在
error-title-other = 出错了
error-back-home = 返回首页

## The request as a whole
error-auth-unauthenticated = 请先登录。
error-auth-forbidden = 您的角色无权进行此操作。
error-password-change-required = 请先修改密码。
error-csrf = 表单已失效，请刷新页面后重新提交。
error-not-found = 未找到该记录，或您无权查看。
error-request-malformed = 请求格式有误。
error-validation-failed = 请检查填写的内容。
error-media-type-unsupported = 不支持的文件类型。
error-body-too-large = 提交的内容过大。
error-throttle-too-many-attempts = 失败次数过多，请稍后再试。
error-throttle-too-many-requests = 请求过于频繁，请稍后再试。
error-service-unavailable = 数据库暂时不可用，请稍后再试。
error-service-busy = 系统繁忙，请稍后再试。
error-internal = 系统内部错误，已记录。

## One field
error-field-required = 此项必填。
error-field-too-long = 内容过长，请精简后再提交。
error-field-email = 请填写有效的电子邮箱地址。
error-field-not-positive = 请填写大于 0 的数值。
error-field-out-of-range = 数值超出允许的范围。
error-field-date-order = 结束日期不能早于开始日期。
error-field-date = 请按“年-月-日”填写日期，例如 2026-03-01。
error-field-in-future = 日期不能晚于今天。
error-field-outside-period = 日期须在合同或岗位的起止期间之内。
error-field-unknown = 此项不能提交（未知或由系统生成的字段）。
error-field-type = 填写的格式不对。
error-field-number = 请填写数字。
error-field-choice = 请从列出的选项中选择。
error-field-invalid = 填写有误。
error-field-not-for-role = 该角色不需要填写此项。
error-reference-unknown = 所选记录不存在或不能使用。
error-cursor-invalid = 翻页链接已失效，请从第一页重新查看。
error-idempotency-key-invalid = 请求标识（Idempotency-Key）应为 1 到 128 个可见的 ASCII 字符。
error-money-not-a-number = 请填写金额，例如 1234.50。
error-money-too-precise = 金额最多保留两位小数。
error-money-negative = 金额不能为负数。
error-money-too-large = 金额过大。
error-quantity-invalid = 请填写不小于 0 的数值，最多 4 位小数。
error-score-invalid = 绩效得分应在 0 到 100 之间，最多一位小数。
error-division-invalid = 行政区划代码应为 6、9 或 12 位数字。
error-division-not-local = 请填写乡镇（9 位）或村、社区（12 位）的行政区划代码。
error-credit-code-invalid = 统一社会信用代码应为 18 位，且校验位正确。
error-id-number-invalid = 身份证号码应为 18 位，且校验位正确。
error-period-too-long = 服务期最长一年；填写跨年度理由后最长三年。
error-password-wrong = 当前密码不正确。
error-password-too-short = 密码至少需要 10 个字符。
error-password-too-long = 密码最多 256 个字符。
error-password-unchanged = 新密码不能与当前密码相同。

## Rules between fields and records
error-budget-reason-required = 调整预算指标金额时，请填写调整理由。
error-organisation-status-reason-required = 暂停社会组织或列入黑名单时，请填写理由。
error-user-self-deactivate = 不能停用您自己的账号。
error-tender-purchaser-mismatch = 采购单位须与预算指标所属的采购单位一致。
error-tender-deadline-too-soon = 响应截止时间太近：须在将来，且不少于该采购方式的最短响应期。
error-tender-service-before-deadline = 服务开始日期不能早于响应截止时间。
error-bid-above-ceiling = 响应报价不能高于采购项目的最高限价。
error-contract-officer-invalid = 负责人须为该采购单位在岗的财务人员。
error-performance-rule-order = 最低支付得分不能高于全额支付得分。
error-contract-value-fixed = 经采购确定成交的合同，金额即成交的响应报价，不能修改。
error-contract-period-excludes-milestones = 合同期须包含所有服务节点的截止日期。
error-contract-period-excludes-posts = 合同期须包含所有岗位的起止日期。
error-amendment-empty = 请填写新的合同金额或新的结束日期。
error-post-dates-exclude-assignments = 岗位起止日期须包含社工已有的在岗期间。
error-post-qualification-low = 该社工的资质低于岗位要求。
error-report-measured-twice = 同一绩效指标填报了两次。
error-report-too-many-measurements = 填报的数值多于合同的绩效指标。
error-payment-before-signing = 支付日期不能早于合同签订日期。

## State and rule conflicts
error-state-transition = 当前状态不允许此操作。
error-record-duplicate = 已存在相同的记录。
error-budget-insufficient = 预算指标可用金额不足。
error-budget-below-committed = 预算指标金额不能低于已承诺和已预留的金额。
error-budget-line-duplicate = 本单位该年度已有相同编码的预算指标。
error-user-email-taken = 该电子邮箱已被其他用户使用。
error-organisation-duplicate = 已有相同统一社会信用代码的社会组织。
error-organisation-not-active = 该社会组织已被暂停或列入黑名单，不能进行此操作。
error-tender-not-draft = 只有草稿状态的采购项目可以修改。
error-tender-deadline-not-passed = 响应截止时间尚未到达。
error-tender-deadline-passed = 响应截止时间已过，不再接受响应报价。
error-tender-not-published = 采购项目尚未发布或已不在响应期内，不接受响应报价。
error-tender-too-few-bids = 响应报价数量不足，不能确定成交；请标记为采购失败。
error-contract-not-draft = 只有草稿状态的合同可以修改；履行中的合同请办理合同变更。
error-contract-not-active = 合同不在履行中，不能进行此操作。
error-contract-closed = 合同已结束，服务节点、绩效指标和岗位不能再修改。
error-contract-not-payable = 合同尚未签订或已取消，不能支付。
error-contract-milestones-open = 还有服务节点既未验收通过也未取消，暂不能完结合同。
error-amendment-below-paid = 合同金额不能低于已支付的金额。
error-amendment-over-limit = 合同变更累计增加的金额不能超过签订金额的 10%。
error-milestones-exceed-value = 服务节点金额与已付预付款之和不能超过合同金额。
error-milestone-not-planned = 只有计划中的服务节点可以修改。
error-milestone-no-report-expected = 该服务节点当前不接收服务报告。
error-milestone-no-pending-report = 该服务节点没有待审核的服务报告。
error-indicators-weights-not-100 = 绩效指标的权重之和须为 100。
error-indicator-duplicate = 本合同已有相同编码的绩效指标。
error-post-occupied = 该岗位在部分日期已有社工在岗，请先结束其任职。
error-worker-already-posted = 该社工在部分日期已在其他资助岗位任职。
error-assignment-ended = 该任职已经结束。
error-payment-milestone-not-accepted = 服务节点验收通过后才能支付。
error-payment-above-payable = 支付金额超过了该服务节点尚未支付的应付金额。
error-payment-no-advance = 该合同不能支付预付款，请按验收通过的服务节点支付。
error-payment-advance-too-large = 预付款不能超过未列入服务节点的合同金额（扣除已付预付款）。
error-payment-above-value = 累计支付不能超过合同金额。
error-voucher-duplicate = 该凭证号已用于另一笔支付。
error-notification-not-dead = 只有发送失败的通知可以重新发送。
