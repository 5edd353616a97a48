"""Practice calls: a human trainee plays the agent against the offline user simulator.

``briefing`` renders what the trainee reads first, ``session`` runs and grades one attempt,
``recorder`` stores the engine's events as they happen, ``display`` prints the call in a terminal.
"""
