"""Screens: the main reading screen (composed from the task modules in ``tui.actions``)."""
