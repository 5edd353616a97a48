"""Reports: the chart specification (``charts``), chart inputs from stored runs (``data``),
offline rendering (``render``) and the HTML/PDF report (``html``).

Needs the ``reports`` extra (Altair, vl-convert): ``pip install 'understudy[reports]'``.
"""
