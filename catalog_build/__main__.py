from catalog_build.cli import main

raise SystemExit(main())
