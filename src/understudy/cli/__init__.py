"""Command-line interface (Typer + Rich): thin, parses, calls the library, renders."""
