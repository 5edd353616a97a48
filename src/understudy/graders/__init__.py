"""understudy.graders."""
