"""The side under test or in training: flow runtime, webhook, callable, LLM agent, trainee."""
