"""The terminal interface: the ``tprep`` command line and the Textual app."""

import os

# Textual draws a screen's changes on a frame timer ticking TEXTUAL_FPS times a second (60 by
# default). Right after a burst of frames its next tick can be two periods away, so at 60 fps a
# key pressed then waited up to 33 ms before its change was even laid out (the largest part of
# the slowest keypresses); at 120 fps, at most 17 ms. A frame is drawn only when something
# changed, so an idle app costs nothing more. Textual reads the variable once, on import, hence
# here, before any of it is imported; a value the user set wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
