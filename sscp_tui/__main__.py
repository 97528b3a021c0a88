from sscp_tui.cli import main

main()
