"""The WSGI entry point for production servers: `gunicorn webapp.wsgi:app` (`kyoto serve`).

Configuration comes from the environment (`DATABASE_URL`, `SECRET_KEY`, `REDIS_URL`, `KYOTO_*`)
and the instance folder's `config.py`, as for every `kyoto` command.
"""

from __future__ import annotations

import gc

from webapp import create_app

app = create_app()

# The ~150,000 objects of the imported modules and the app live as long as the worker: moved out
# of the collector's generations, a full collection no longer walks them (31 ms each, measured
# by bench/web.py), which would land on whichever request happened to trigger it.
gc.collect()
gc.freeze()
