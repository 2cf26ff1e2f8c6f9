# 搜索页（templates/search.html）与 static/search.js 的界面文字。
search-label = 搜索本站
search-submit = 搜索
search-hint = 输入时即显示结果；用方向键在结果间移动。
search-results = 搜索结果
search-loading = 正在搜索……
# $count：结果数（脚本用 1 和 "{n}" 两种形式）。
search-count = 找到 { $count } 个页面
search-none = 没有与“{ $query }”相符的页面。
search-error = 无法加载搜索索引，请稍后再试。
search-more = 显示更多结果
search-noscript = 即时搜索需要启用 JavaScript。
