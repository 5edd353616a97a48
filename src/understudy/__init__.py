"""understudy: simulated customers with personas.

Two uses, one engine: bot builders stress-test a draft assistant against batches of tricky
simulated customers; trainers let trainees practise calls against an AI customer that is graded
per rubric criterion. See ``understudy.engine`` for the turn loop and ``understudy.testing`` for
fakes to use in your own tests.
"""

__version__ = "0.1.0"
