"""Built-in tools that need more than their arguments: a clock, the run's workspace, the web.

Each is plain Python, free of Qt and AutoGen; :mod:`designer.core.builtins` lists them
and the runtime binds them to a run (its workspace folder, the tool's options).
"""
