"""The terminal interface: the ``tprep`` command line and the Textual app."""
