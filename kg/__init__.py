"""Knowledge-graph builder for AI-infrastructure finance news."""

__version__ = "0.1.0"
