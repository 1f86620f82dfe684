"""Everything that touches the outside world: settings, stores, auth, logging, scheduler."""
