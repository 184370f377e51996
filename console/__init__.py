"""The console (台账控制台): the ledger for people, in a browser, in Chinese first.

Server-rendered pages (Jinja2) made lively with htmx, charts with ECharts, every
asset served by the app. It sits above ``api`` (same process, same use cases,
roles, unit scopes and masking rules); ``console.app.create_app`` serves both.
"""
