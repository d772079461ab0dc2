"""`python -m bordersim` runs the command-line interface."""

from bordersim.cli.app import main

main()
