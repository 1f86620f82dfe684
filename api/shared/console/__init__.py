"""The staff console's foundation: sessions, languages, templates, assets."""
