"""Front Door runtime: settings, CLI, channels and custom NLU components."""
