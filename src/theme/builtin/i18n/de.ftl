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
legal-nav = Über diese Website

# Direktiven (templates/directives/).
directive-notice-info = Hinweis
directive-notice-warning = Achtung
directive-credit = Foto: { $credit }
directive-download-external = externer Link
directive-embed-notice = Dieser Inhalt wird erst auf Ihren Wunsch von { $host } geladen; { $host } kann dann Cookies setzen und Ihren Besuch erfassen.
directive-embed-local = Dieser Inhalt wird erst auf Ihren Wunsch geladen.
directive-embed-load = Inhalt laden
directive-embed-open = Auf { $host } öffnen
directive-video-notice = Dieses Video wird erst auf Ihren Wunsch von { $host } geladen; { $host } kann dann Cookies setzen und Ihren Besuch erfassen.
directive-video-load = Video abspielen
stale-sections = Seit der Übersetzung im Original geändert:
stale-introduction = Einleitung
stale-block-hint = Das Original dieses Abschnitts wurde nach der Übersetzung geändert.
