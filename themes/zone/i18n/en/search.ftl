# Interface words of the search page (templates/search.html) and static/search.js.
search-label = Search this site
search-submit = Search
search-hint = Results appear as you type; use the arrow keys to move between them.
search-results = Search results
search-loading = Searching…
# $count: number of results (the script uses the forms for 1 and for "{n}").
search-count = { $count ->
    [one] One page found
   *[other] { $count } pages found
}
search-none = No page matches “{ $query }”.
search-error = The search index could not be loaded. Please try again later.
search-more = Show more results
search-noscript = Search as you type needs JavaScript.
