"""One module per ``tprep`` subcommand; see ``tui/cli.py`` for the protocol."""
