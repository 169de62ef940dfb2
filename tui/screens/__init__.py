"""One module per screen of the app, each with its ``.tcss`` beside it.

Only ``home`` (and the small ``base``/``too_small``) is imported at start-up;
``tui.app.SCREENS_BY_NAME`` imports the others when they are first opened.
"""
