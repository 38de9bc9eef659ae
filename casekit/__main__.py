from casekit.cli.main import main

main()
