"""Views: one class per view, kept current by projection workers; each is disposable."""
