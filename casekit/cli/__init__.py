"""The command line: thin click commands that call the pipeline and print its diagnostics."""
