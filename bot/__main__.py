import sys

from hatbot.cli import main

sys.exit(main())
