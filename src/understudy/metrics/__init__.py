"""understudy.metrics."""
