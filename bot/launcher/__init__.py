"""The launcher: starts every process of the product and keeps them running.

``python -m bot run`` (``make run``) and ``run-scaled`` use it, as do the end-to-end tests:
the stacks (``stack.py``, ``scaled_stack.py``), the files Rasa reads at start-up
(``rasa_files.py``), the port check (``ports.py``), the restarts (``supervisor.py``), the
children that die with it (``child_process.py``) and the signal handling (``serve.py``).
"""
