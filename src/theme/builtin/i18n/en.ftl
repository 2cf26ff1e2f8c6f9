# Messages of qiao's built-in theme, English.
nav-languages = Languages
nav-pagination = Pages
nav-sections = Sections
nav-main = Main menu
page-of = Page { $current } of { $total }
previous-page = Previous page
next-page = Next page
previous = Previous
next = Next
tags = Tags
categories = Categories
taxonomy-title = { $name ->
    [tags] Tags
    [categories] Categories
   *[other] { $name }
}
pages-count = { $count ->
    [one] { $count } page
   *[other] { $count } pages
}
reading-time = { $minutes ->
    [one] { $minutes } minute read
   *[other] { $minutes } minutes read
}
published = Published on { DATE($date, style: "long") }
fallback-notice = This page is not available in English yet; it is shown in its original language.
fallback-original = Read the original
not-found-title = Page not found
not-found-text = The page you are looking for does not exist.
not-found-home = Go to the home page
skip-to-content = Skip to content
breadcrumbs = Breadcrumbs
related = Related pages
stale-notice = This translation may not reflect the latest { $source ->
    [zh] Chinese
    [en] English
    [de] German
   *[other] original
} version.
stale-original = Read the original
