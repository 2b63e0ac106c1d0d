## 社会组织在合同的岗位页安排社工到岗、登记离岗。
staff-assign = 安排社工到岗
staff-assign-hint = 以下岗位目前没有社工在岗。身份证号只用于核验，保存后只显示末四位。
staff-worker-name = 社工姓名
staff-qualification = 职业资格
staff-certificate-no = 职业资格证书编号（无职业资格时不填）
staff-id-number = 身份证号
staff-id-number-hint = 18 位，最后一位可以是 X。
staff-id-number-retype = 为保护个人信息，身份证号不会显示在页面上，请重新输入。
staff-from-date = 到岗日期
staff-assign-button = 确认到岗
staff-end = 登记离岗
staff-since = 到岗日期：
staff-to-date = 最后在岗日期
staff-end-button = 确认离岗
flash-worker-assigned = 社工已到岗。
flash-assignment-ended = 已登记离岗。
