"""A runnable deployment: K replicas behind nginx on loopback (python -m deploy.replicas)."""
