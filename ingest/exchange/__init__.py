"""The exchange back-office feed: events on ``txmon.exchange.events`` (schema v1, see
schemas/exchange-events.v1.json and docs/exchange-feed.md) become canonical transfers on
``txmon.transfers``, customer records and deposit-address links on the Store (the
customer registry, :mod:`txmon.customers`)."""
