from qiancheng.cli import main

main()
