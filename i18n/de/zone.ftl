# Eigene Oberflächentexte dieser Publikation: die Namen der Struktur der Zone
# („ein Zentrum + eine Kernzone + N Industriestandorte“). Allgemeine Beschriftungen (Navigation, Datum,
# Seitenzahlen) kommen aus dem Theme (themes/zone/i18n/); eine Meldung hier ersetzt die gleichnamige des Themes.
profile-role = Rolle in der Struktur
role = { $role ->
    [centre] Das Zentrum
    [core] Die Kernzone
    [base] Einer der N Industriestandorte
   *[platform] Plattform
}
role-group = { $role ->
    [centre] Ein Zentrum
    [core] Eine Kernzone
    [base] N Industriestandorte
   *[platform] Plattformen
}

# The site's name after a page title in <title> (the theme's site-short-title).
site-short-title = KMU-Zone China-EU (Jiangmen)
