"""Following sources over time: schedules, polling, health and alerts.

``sources`` (what to follow), ``scheduler`` (the watcher), ``health``
(statuses), ``alerts`` (saved searches); their SQL is in ``store.watch``.
"""
