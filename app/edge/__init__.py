"""The edge: the composition root. The ASGI app (``server``), the ``tally`` command (``cli``),
the REST endpoints (``events``: ``POST /v1/events``; ``stripe_webhook``), the middlewares
(``cors``, ``request_id``), ``/metrics`` and ``/ready``, and the demo data. The only code in
``app`` that imports the API, the console, the workers and their frameworks."""
