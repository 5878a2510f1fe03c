from matrixkit.cli import main

main()
