"""python -m sscp_tui: the same command line as the sscp-tui command."""

from sscp_tui.cli import main

if __name__ == "__main__":
    main(prog_name="sscp-tui")
