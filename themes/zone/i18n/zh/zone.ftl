# “zone”主题的界面文字（简体中文）。页面内容另见 content/。
skip-to-content = 跳至正文
nav-main = 主菜单
nav-languages = 语言
lang-unavailable = （暂无该语言版本）
    .title = 本页暂无该语言版本
breadcrumbs = 当前位置
browse = 按主题浏览
feeds = 订阅
about-this-site = 本站信息
feed-link = { $title }（Atom 订阅源）
taxonomy-title = { $name ->
    [tags] 标签
    [categories] 分类
   *[other] { $name }
}
term-title = { $taxonomy ->
    [tags] 标签：{ $term }
    [categories] 分类：{ $term }
   *[other] { $term }
}
pages-count = { $count } 篇
terms-single = 另有 { $count } 个关键词，各只见于一页
published = 发布于 { DATE($date, style: "long") }
reading-time = 阅读约需 { $minutes } 分钟
toc = 本页目录
tags = 标签
categories = 分类
related = 相关内容
nav-prev-next = 上一篇和下一篇
previous = 上一篇
next = 下一篇
table-region = 表格（可横向滚动）
profile = 概况
profile-role = 定位
role = { $role }
role-group = { $role }
profile-district = 所在地
profile-industries = 重点产业
more-in = 查看“{ $section }”全部内容
page-of = 第 { $current } 页，共 { $total } 页
not-found-title = 页面不存在
not-found-text = 您要访问的页面不存在，可能已被移动或删除。
not-found-home = 返回首页

## The hint to a reader whose browser prefers this language (partials/lang-hint.html).
lang-hint = 本页有中文版本。
lang-hint-link = 阅读中文版
lang-hint-dismiss = 关闭
stale-marked = 左侧标有红线的段落可能已过时。

## After a page title in <title>: the site's name, or a shorter form a site sets in its own
## messages (a long page title goes without it).
site-short-title = { $title }
