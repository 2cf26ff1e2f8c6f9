# Oberflächentexte des Themes „zone“, Deutsch. Die Seiten selbst stehen in content/.
skip-to-content = Zum Inhalt springen
nav-main = Hauptmenü
nav-languages = Sprachen
lang-unavailable = (in dieser Sprache nicht verfügbar)
    .title = Diese Seite gibt es in dieser Sprache nicht
breadcrumbs = Sie sind hier
browse = Nach Themen
feeds = Abonnieren
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
stale-marked = Mit einem roten Balken links markierte Absätze sind möglicherweise veraltet.
