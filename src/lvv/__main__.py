from lvv.manage import main

main()
