"""`python -m python_loaders ...`: see python_loaders.cli."""

from python_loaders.cli import main

raise SystemExit(main())
