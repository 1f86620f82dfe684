"""Pure domain: aggregates, events, policies. No I/O, no clock."""
