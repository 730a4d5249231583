"""`python -m lib ...`: the Dossier command line."""

from lib.cli.main import main

raise SystemExit(main())
