"""The command line: each command parses options, calls the library, prints."""

from matrixkit.cli.main import main

__all__ = ["main"]
