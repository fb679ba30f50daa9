from objectbase.cli import main

main()
