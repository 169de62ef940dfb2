"""The terminal interface: the ``tprep`` command line and the Textual app."""

import os

# Textual reads these once, when imported, hence here, before any of it is; a value the user set
# wins (e.g. TEXTUAL_ANIMATIONS=full brings smooth scrolling back).
#
# TEXTUAL_FPS: Textual draws a screen's changes on a frame timer ticking this many times a
# second (60 by default). Right after a burst of frames its next tick can be two periods away,
# so at 60 fps a key pressed then waited up to 33 ms before its change was even laid out (the
# largest part of the slowest keypresses); at 120 fps, at most 17 ms. A frame is drawn only when
# something changed, so an idle app costs nothing more.
os.environ.setdefault("TEXTUAL_FPS", "120")
# TEXTUAL_ANIMATIONS: keys scroll at once, as in a pager, instead of gliding there: a smooth
# scroll's first step waited for the animator's own 60 fps tick (20-36 ms for one line), and
# page down took ~120 ms to arrive, end a whole second. The app animates nothing else.
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
