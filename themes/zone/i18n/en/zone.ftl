# Interface messages of the "zone" theme, English (en-GB). The pages themselves are in content/.
skip-to-content = Skip to main content
nav-main = Main
nav-languages = Languages
lang-unavailable = (not available in this language)
    .title = This page is not available in this language
breadcrumbs = Breadcrumb
browse = Browse by topic
feeds = Subscribe
about-this-site = About this site
feed-link = { $title } (Atom feed)
taxonomy-title = { $name ->
    [tags] Tags
    [categories] Categories
   *[other] { $name }
}
term-title = { $taxonomy ->
    [tags] Tag: { $term }
    [categories] Category: { $term }
   *[other] { $term }
}
pages-count = { $count ->
    [one] { $count } page
   *[other] { $count } pages
}
terms-single = { $count ->
    [one] One more keyword, used on one page
   *[other] { $count } more keywords, each used on one page
}
published = Published on { DATE($date, style: "long") }
reading-time = { $minutes ->
    [one] Reading time: { $minutes } minute
   *[other] Reading time: { $minutes } minutes
}
toc = On this page
tags = Tags
categories = Categories
related = Related pages
nav-prev-next = Previous and next
previous = Previous
next = Next
table-region = Table (scrolls sideways)
profile = Profile
profile-role = Role
role = { $role }
role-group = { $role }
profile-district = Location
profile-industries = Focus industries
more-in = All pages in “{ $section }”
page-of = Page { $current } of { $total }
not-found-title = Page not found
not-found-text = The page you are looking for does not exist. It may have been moved or removed.
not-found-home = Go to the home page

## The hint to a reader whose browser prefers this language (partials/lang-hint.html).
lang-hint = This page is also available in English.
lang-hint-link = Read it in English
lang-hint-dismiss = Dismiss
stale-marked = Passages marked with a red bar at the left may be out of date.

## After a page title in <title>: the site's name, or a shorter form a site sets in its own
## messages (a long page title goes without it).
site-short-title = { $title }
