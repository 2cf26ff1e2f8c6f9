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
legal-nav = About this site

# Directives (templates/directives/).
directive-notice-info = Note
directive-notice-warning = Warning
directive-credit = Photo: { $credit }
directive-download-external = external link
directive-embed-notice = This content is loaded from { $host } only when you ask for it; { $host } may then set cookies and record your visit.
directive-embed-local = This content is loaded only when you ask for it.
directive-embed-load = Load content
directive-embed-open = Open on { $host }
directive-video-notice = This video is loaded from { $host } only when you ask for it; { $host } may then set cookies and record your visit.
directive-video-load = Play video
stale-sections = Changed in the original since this was translated:
stale-introduction = Introduction
stale-block-hint = The original of this passage changed after it was translated.
