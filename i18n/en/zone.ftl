# The publication's own interface wording (British English): the names of the zone's layout,
# "one centre + one core zone + N bases". Generic labels (navigation, dates, pagination) are the
# theme's defaults in themes/zone/i18n/; a message here overrides the theme's message of that name.
profile-role = Role in the layout
role = { $role ->
    [centre] The centre
    [core] The core zone
    [base] One of the N bases
   *[platform] Platform
}
role-group = { $role ->
    [centre] One centre
    [core] One core zone
    [base] N bases
   *[platform] Platforms
}

# The site's name after a page title in <title> (the theme's site-short-title).
site-short-title = China-EU (Jiangmen) SME Zone
