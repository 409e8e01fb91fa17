from cflint.cli import main

raise SystemExit(main())
