# 本刊物（中欧（江门）中小企业国际合作区）自己的界面用语：合作区“一心、一区、N基地”布局的名称。
# 通用标签（导航、日期、分页）由主题 themes/zone/i18n/ 提供；此处的消息逐条覆盖主题的同名消息。
profile-role = 布局定位
role = { $role ->
    [centre] 一心
    [core] 一区
    [base] N基地
   *[platform] 平台
}
role-group = { $role ->
    [centre] 一心
    [core] 一区
    [base] N基地
   *[platform] 平台
}

# The site's name after a page title in <title> (the theme's site-short-title).
site-short-title = 中欧（江门）合作区
