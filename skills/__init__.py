"""Community skills: each module or package is one skill with its models and help."""
