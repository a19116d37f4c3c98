from dolbom.cli import main

main()
