"""understudy.storage."""
