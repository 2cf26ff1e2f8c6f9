# qiao 内置主题的界面文字（简体中文）。
nav-languages = 语言
nav-pagination = 分页
nav-sections = 栏目
nav-main = 主菜单
page-of = 第 { $current } 页，共 { $total } 页
previous-page = 上一页
next-page = 下一页
previous = 上一篇
next = 下一篇
tags = 标签
categories = 分类
taxonomy-title = { $name ->
    [tags] 标签
    [categories] 分类
   *[other] { $name }
}
pages-count = { $count } 篇
reading-time = 阅读约需 { $minutes } 分钟
published = 发布于 { DATE($date, style: "long") }
fallback-notice = 本页尚无中文版本，以下为原文。
fallback-original = 查看原文
not-found-title = 页面不存在
not-found-text = 您要访问的页面不存在。
not-found-home = 返回首页
skip-to-content = 跳至正文
breadcrumbs = 导航路径
related = 相关页面
stale-notice = 本译文可能未反映{ $source ->
    [zh] 中文
    [en] 英文
    [de] 德文
   *[other] 原文
}最新版本。
stale-original = 查看原文
legal-nav = 本站信息

# 指令（templates/directives/）。
directive-notice-info = 提示
directive-notice-warning = 注意
directive-credit = 图片来源：{ $credit }
directive-download-external = 外部链接
directive-embed-notice = 此内容仅在您选择后才从 { $host } 加载；届时 { $host } 可能设置 Cookie 并记录您的访问。
directive-embed-local = 此内容仅在您选择后才加载。
directive-embed-load = 加载内容
directive-embed-open = 在 { $host } 打开
directive-video-notice = 此视频仅在您选择后才从 { $host } 加载；届时 { $host } 可能设置 Cookie 并记录您的访问。
directive-video-load = 播放视频
stale-sections = 原文在翻译后有改动的部分：
stale-introduction = 导言
stale-block-hint = 此段原文在翻译后有改动。
