"""`python -m newswire` is the `newswire` command."""

from newswire.cli import main

main()
