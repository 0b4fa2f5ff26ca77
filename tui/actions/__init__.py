"""The main screen's actions, grouped by task; each module declares its own key bindings.

Every task class is a ``ScreenBase`` (the shared state and views); ``MainScreen`` combines
them and only composes and wires.
"""
