# Meldungen des eingebauten qiao-Themes, Deutsch.
nav-languages = Sprachen
nav-pagination = Seiten
nav-sections = Rubriken
nav-main = Hauptmenü
page-of = Seite { $current } von { $total }
previous-page = Vorherige Seite
next-page = Nächste Seite
previous = Zurück
next = Weiter
tags = Schlagwörter
categories = Kategorien
taxonomy-title = { $name ->
    [tags] Schlagwörter
    [categories] Kategorien
   *[other] { $name }
}
pages-count = { $count ->
    [one] { $count } Seite
   *[other] { $count } Seiten
}
reading-time = { $minutes ->
    [one] Lesezeit { $minutes } Minute
   *[other] Lesezeit { $minutes } Minuten
}
published = Veröffentlicht am { DATE($date, style: "long") }
fallback-notice = Diese Seite liegt noch nicht auf Deutsch vor; sie wird in der Originalsprache angezeigt.
fallback-original = Zum Original
not-found-title = Seite nicht gefunden
not-found-text = Die gesuchte Seite gibt es nicht.
not-found-home = Zur Startseite
skip-to-content = Zum Inhalt springen
breadcrumbs = Navigationspfad
related = Verwandte Seiten
stale-notice = Diese Übersetzung entspricht möglicherweise nicht der neuesten { $source ->
    [zh] chinesischen
    [en] englischen
    [de] deutschen
   *[other] ursprünglichen
} Fassung.
stale-original = Zum Original
