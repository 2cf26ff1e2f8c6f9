# Oberflächentexte des Themes „zone“, Deutsch. Die Seiten selbst stehen in content/.
skip-to-content = Zum Inhalt springen
nav-main = Hauptmenü
nav-languages = Sprachen
lang-unavailable = (in dieser Sprache nicht verfügbar)
    .title = Diese Seite gibt es in dieser Sprache nicht
breadcrumbs = Sie sind hier
browse = Nach Themen
feeds = Abonnieren
about-this-site = Über diese Website
feed-link = { $title } (Atom-Feed)
taxonomy-title = { $name ->
    [tags] Schlagwörter
    [categories] Kategorien
   *[other] { $name }
}
term-title = { $taxonomy ->
    [tags] Schlagwort: { $term }
    [categories] Kategorie: { $term }
   *[other] { $term }
}
pages-count = { $count ->
    [one] { $count } Seite
   *[other] { $count } Seiten
}
terms-single = { $count ->
    [one] Ein weiteres Schlagwort, auf einer Seite verwendet
   *[other] { $count } weitere Schlagwörter, jeweils auf einer Seite verwendet
}
published = Veröffentlicht am { DATE($date, style: "long") }
reading-time = { $minutes ->
    [one] Lesezeit: { $minutes } Minute
   *[other] Lesezeit: { $minutes } Minuten
}
toc = Auf dieser Seite
tags = Schlagwörter
categories = Kategorien
related = Verwandte Seiten
nav-prev-next = Vorherige und nächste Seite
previous = Zurück
next = Weiter
table-region = Tabelle (seitlich scrollbar)
profile = Steckbrief
profile-role = Rolle
role = { $role }
role-group = { $role }
profile-district = Ort
profile-industries = Schwerpunktbranchen
more-in = Alle Seiten unter „{ $section }“
page-of = Seite { $current } von { $total }
not-found-title = Seite nicht gefunden
not-found-text = Die gesuchte Seite gibt es nicht. Vielleicht wurde sie verschoben oder entfernt.
not-found-home = Zur Startseite

## The hint to a reader whose browser prefers this language (partials/lang-hint.html).
lang-hint = Diese Seite gibt es auch auf Deutsch.
lang-hint-link = Auf Deutsch lesen
lang-hint-dismiss = Schließen
stale-marked = Mit einem roten Balken links markierte Absätze sind möglicherweise veraltet.

## After a page title in <title>: the site's name, or a shorter form a site sets in its own
## messages (a long page title goes without it).
site-short-title = { $title }
