"""Applications for an event's carbon-neutrality certificate, each check with its result and reason."""
