from crossdeal.cli.main import main

main()
