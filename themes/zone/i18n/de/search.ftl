# Texte der Suchseite (templates/search.html) und von static/search.js.
search-label = Diese Website durchsuchen
search-submit = Suchen
search-hint = Die Treffer erscheinen während der Eingabe; mit den Pfeiltasten wechseln Sie zwischen ihnen.
search-results = Suchergebnisse
search-loading = Suche läuft …
# $count: Zahl der Treffer (das Skript nutzt die Formen für 1 und für "{n}").
search-count = { $count ->
    [one] Eine Seite gefunden
   *[other] { $count } Seiten gefunden
}
search-none = Keine Seite passt zu „{ $query }“.
search-error = Der Suchindex konnte nicht geladen werden. Bitte versuchen Sie es später erneut.
search-more = Weitere Treffer anzeigen
search-noscript = Die Suche während der Eingabe braucht JavaScript.
