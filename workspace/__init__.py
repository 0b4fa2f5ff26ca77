"""piyue's use cases, written once for both user interfaces (the TUI and the command line).

Layers: ``tui`` and ``cli`` → ``workspace`` → ``storage`` → ``corpus``.
"""
