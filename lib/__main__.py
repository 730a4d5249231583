"""`python -m lib ...`: the Dossier command line."""

from lib.cli import main

raise SystemExit(main())
