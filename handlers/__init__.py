"""Chat handlers: the pure language parser and the command handlers.

`HANDLER_MODULES` is the table order. The longest matching trigger wins; among equals the
first in table order that the asker may run; catch-alls (no trigger) come last.
"""

HANDLER_MODULES = ("handlers.member", "handlers.branch", "handlers.review", "handlers.outreach",
                   "handlers.binding", "handlers.media", "handlers.report")
